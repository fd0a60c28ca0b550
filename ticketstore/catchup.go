package ticketstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/helpdesk"
)

// AppendEvents takes recovered events into a ticket's log in one script on the ticket's
// hash, without evaluating: the caller evaluates the ticket once afterwards, with all of
// them. An event already in the log (same identity as Record.Add uses) is skipped; each
// new one moves the log's version on, so a Persist of an evaluation that did not see them
// is refused. It returns how many were new.
func (s *Store) AppendEvents(ctx context.Context, ticketKey string, evs []helpdesk.Event) (int, error) {
	args := make([]any, 0, 2*len(evs))
	for _, ev := range evs {
		b, err := json.Marshal(store(compact(ev)))
		if err != nil {
			return 0, fmt.Errorf("ticketstore: encode event of %s: %w", ticketKey, err)
		}
		args = append(args, eventField(ev), b)
	}
	n, err := appendScript.Run(ctx, s.rdb, []string{ticketHash(ticketKey)}, args...).Int()
	if err != nil {
		return 0, fmt.Errorf("ticketstore: append events of %s: %w", ticketKey, err)
	}
	return n, nil
}

var appendScript = redis.NewScript(`
local added = 0
for i = 1, #ARGV, 2 do
  if redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) == 1 then added = added + 1 end
end
if added > 0 then redis.call('HINCRBY', KEYS[1], 'v', added) end
return added`)
