package zendesk_test

import (
	"testing"

	"github.com/monobunt/slaguard/helpdesk/internal/adaptertest"
)

// Posted reads back the note and the reply Apply wrote, so that Unposted drops both
// from a write that is sent again (the check all three adapters share).
func TestPostedReadsBackTheNoteAndReplyApplyWrote(t *testing.T) {
	_, a := account(t)
	adaptertest.PostedReadsBackWhatApplyWrote(t, a, ticket4711)
}
