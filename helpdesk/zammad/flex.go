package zammad

import (
	"bytes"
	"errors"

	json "github.com/goccy/go-json"

	"github.com/monobunt/slaguard/internal/flexjson"
)

// Zammad's payloads are generated from Rails models and custom payloads are written by
// hand, so a value may come as a number, a string or null; flexjson reads the forms that
// occur instead of failing a whole delivery over one field. Its List also reads a string
// of values: a custom payload renders #{ticket.tags} as the tags joined with ", "
// (Zammad's NotificationFactory::Renderer), which the default payload sends as an array.
type (
	flexString = flexjson.String
	flexFloat  = flexjson.Float
	flexBool   = flexjson.Bool
	flexList   = flexjson.List
)

// ref is an association: Zammad expands it into an object with an id and a name (or an
// e-mail), but older versions and custom payloads send just the name or the id.
type ref struct {
	ID    flexString `json:"id"`
	Name  flexString `json:"name"`
	Email flexString `json:"email"`
	Login flexString `json:"login"`
}

func (r *ref) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*r = ref{}
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case '{':
		type plain ref
		var p plain
		if err := json.Unmarshal(b, &p); err != nil {
			return err
		}
		*r = ref(p)
	case '"':
		return json.Unmarshal(b, &r.Name)
	case '[':
		return errors.New("want an object or a name")
	case 'n', 't', 'f':
	default:
		return r.ID.UnmarshalJSON(b)
	}
	return nil
}
