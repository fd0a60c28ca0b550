package zammad_test

import (
	"testing"

	"github.com/monobunt/slaguard/helpdesk/internal/adaptertest"
	"github.com/monobunt/slaguard/helpdesk/zammad"
	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
)

// Posted reads back the note and the reply Apply wrote, so that Unposted drops both
// from a write that is sent again (the check all three adapters share).
func TestPostedReadsBackTheNoteAndReplyApplyWrote(t *testing.T) {
	fake := fakeWithTicket(t, zammadfake.Options{})
	adaptertest.PostedReadsBackWhatApplyWrote(t, adapterFor(t, fake, zammad.Config{}), ticket4711)
}
