package contracts

import "strings"

// Every key shares the hash tag {all}, so the Lua scripts touch one cluster slot.
const (
	keyPrefix = "slaguard:contract:{all}:"
	keyData   = keyPrefix + "c:"      // + id → the contract's JSON
	keyIndex  = keyPrefix + "index"   // zset of ids by creation time
	keyOrg    = keyPrefix + "org:"    // + lowercased organisation → set of ids
	keyDomain = keyPrefix + "domain:" // + domain → set of ids
)

func dataKey(id string) string { return keyData + id }

func orgKey(org string) string { return keyOrg + strings.ToLower(strings.TrimSpace(org)) }

func domainKey(d string) string {
	return keyDomain + strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
}

// matchKeys are the index keys under which the spec's tickets are found.
func (s *Spec) matchKeys() []string {
	keys := make([]string, 0, len(s.Organizations)+len(s.Domains))
	seen := map[string]bool{}
	for _, o := range s.Organizations {
		if k := orgKey(o); !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	for _, d := range s.Domains {
		if k := domainKey(d); !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys
}
