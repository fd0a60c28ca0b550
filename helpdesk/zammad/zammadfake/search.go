package zammadfake

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// search answers GET|POST /api/v1/tickets/search as Zammad's TicketsController#search
// does for a condition without a query (Ticket.search → search_sql): only conditions on
// ticket.updated_at and ticket.created_at with "after (absolute)" (>=) and "before
// (absolute)" (<=) are understood, anything else is 422 here (Zammad knows many more).
// sort_by/order_by sort (updated_at, created_at or id; ties by id), page and per_page page
// (per_page at most 200, default 50; limit is per_page's old name). expand=true answers a
// flat array of tickets with association names; otherwise {tickets: [ids], tickets_count:
// the page's count, assets}.
func (s *Server) search(r *http.Request, raw []byte) (int, any) {
	p, err := searchParams(r, raw)
	if err != nil {
		return unprocessable(err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var hits []*ticketState
	for _, st := range s.tickets {
		if p.matches(st.t) {
			hits = append(hits, st)
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		a, b := hits[i].t, hits[j].t
		var less, equal bool
		switch p.sortBy {
		case "created_at":
			less, equal = a.CreatedAt.Before(b.CreatedAt), a.CreatedAt.Equal(b.CreatedAt)
		case "id":
			less, equal = a.ID < b.ID, a.ID == b.ID
		default:
			less, equal = a.UpdatedAt.Before(b.UpdatedAt), a.UpdatedAt.Equal(b.UpdatedAt)
		}
		if equal {
			return a.ID < b.ID
		}
		return less != p.desc
	})
	from := (p.page - 1) * p.perPage
	if from > len(hits) {
		from = len(hits)
	}
	to := min(from+p.perPage, len(hits))
	hits = hits[from:to]
	if p.expand {
		out := make([]map[string]any, 0, len(hits))
		for _, st := range hits {
			out = append(out, s.expandedTicketLocked(st))
		}
		return http.StatusOK, out
	}
	ids := make([]int, 0, len(hits))
	assets := map[string]any{}
	tickets := map[string]any{}
	for _, st := range hits {
		ids = append(ids, st.t.ID)
		tickets[strconv.Itoa(st.t.ID)] = s.ticketJSON(st.t)
	}
	assets["Ticket"] = tickets
	return http.StatusOK, map[string]any{"tickets": ids, "tickets_count": len(ids), "assets": assets}
}

type searchQuery struct {
	conds         []searchCond
	sortBy        string
	desc          bool
	page, perPage int
	expand        bool
}

type searchCond struct {
	field string // updated_at, created_at
	after bool
	at    time.Time
}

func (q searchQuery) matches(t Ticket) bool {
	for _, c := range q.conds {
		v := t.UpdatedAt
		if c.field == "created_at" {
			v = t.CreatedAt
		}
		if c.after && v.Before(c.at) || !c.after && v.After(c.at) {
			return false
		}
	}
	return true
}

// searchParams reads the parameters from a JSON body (POST) or the query string (GET,
// condition[ticket.updated_at][operator]=… as Rails nests them).
func searchParams(r *http.Request, raw []byte) (searchQuery, error) {
	type condJSON struct {
		Operator string `json:"operator"`
		Value    string `json:"value"`
	}
	var in struct {
		Query     any                 `json:"query"`
		Condition map[string]condJSON `json:"condition"`
		SortBy    string              `json:"sort_by"`
		OrderBy   string              `json:"order_by"`
		Page      json.Number         `json:"page"`
		PerPage   json.Number         `json:"per_page"`
		Limit     json.Number         `json:"limit"`
		Expand    any                 `json:"expand"`
	}
	q := r.URL.Query()
	if len(strings.TrimSpace(string(raw))) > 0 {
		if err := json.Unmarshal(raw, &in); err != nil {
			return searchQuery{}, err
		}
	} else {
		in.Condition = map[string]condJSON{}
		for k, v := range q {
			rest, ok := strings.CutPrefix(k, "condition[")
			if !ok {
				continue
			}
			field, attr, ok := strings.Cut(rest, "][")
			if !ok {
				continue
			}
			c := in.Condition[field]
			switch strings.TrimSuffix(attr, "]") {
			case "operator":
				c.Operator = v[0]
			case "value":
				c.Value = v[0]
			}
			in.Condition[field] = c
		}
		in.SortBy, in.OrderBy = q.Get("sort_by"), q.Get("order_by")
		in.Page, in.PerPage, in.Limit = json.Number(q.Get("page")), json.Number(q.Get("per_page")), json.Number(q.Get("limit"))
		if q.Has("query") {
			in.Query = q.Get("query")
		}
		if q.Has("expand") {
			in.Expand = q.Get("expand")
		}
	}
	if v := q.Get("expand"); v != "" && in.Expand == nil {
		in.Expand = v
	}
	out := searchQuery{sortBy: in.SortBy, desc: strings.EqualFold(in.OrderBy, "desc"), page: 1, perPage: 50}
	if s, ok := in.Query.(string); ok && strings.TrimSpace(s) != "" {
		return out, errString("the fake answers only condition searches, not query= (Elasticsearch)")
	}
	switch e := in.Expand.(type) {
	case bool:
		out.expand = e
	case string:
		out.expand = e == "true" || e == "1"
	}
	if n, err := strconv.Atoi(string(in.Page)); err == nil && n > 0 {
		out.page = n
	}
	per := in.PerPage
	if per == "" {
		per = in.Limit
	}
	if n, err := strconv.Atoi(string(per)); err == nil && n > 0 {
		out.perPage = min(n, 200)
	}
	for field, c := range in.Condition {
		name, ok := strings.CutPrefix(field, "ticket.")
		if !ok || (name != "updated_at" && name != "created_at") {
			return out, errString("condition on " + strconv.Quote(field) + " is not understood by the fake")
		}
		at, err := time.Parse(time.RFC3339Nano, c.Value)
		if err != nil {
			return out, errString("condition value " + strconv.Quote(c.Value) + " is not a time")
		}
		switch c.Operator {
		case "after (absolute)":
			out.conds = append(out.conds, searchCond{field: name, after: true, at: at})
		case "before (absolute)":
			out.conds = append(out.conds, searchCond{field: name, at: at})
		default:
			return out, errString("operator " + strconv.Quote(c.Operator) + " is not understood by the fake")
		}
	}
	return out, nil
}

type errString string

func (e errString) Error() string { return string(e) }

// expandedTicketLocked is a ticket as attributes_with_association_names shows it: the
// ids, and the associations by name (users by login). Call with s.mu held.
func (s *Server) expandedTicketLocked(st *ticketState) map[string]any {
	t := st.t
	m := s.ticketJSON(t)
	login := func(id int) any {
		if id == 0 {
			return nil
		}
		if u, ok := s.users[id]; ok && u.Login != "" {
			return u.Login
		}
		return "-"
	}
	m["state"], m["priority"], m["group"] = t.State, t.Priority, t.Group
	if t.OrganizationID != 0 {
		m["organization"] = t.OrganizationName
	}
	m["customer"], m["owner"] = login(t.CustomerID), login(t.OwnerID)
	m["created_by"], m["updated_by"] = login(t.CreatedByID), login(t.UpdatedByID)
	m["create_article_type"], m["create_article_sender"] = t.CreateArticleType, t.CreateArticleSender
	m["create_article_type_id"] = orNil(articleTypeIDs[t.CreateArticleType])
	m["create_article_sender_id"] = orNil(senderIDs[t.CreateArticleSender])
	ids := t.ArticleIDs
	if ids == nil {
		ids = []int{}
	}
	taIDs := t.TimeAccountingIDs
	if taIDs == nil {
		taIDs = []int{}
	}
	m["article_ids"], m["ticket_time_accounting_ids"] = ids, taIDs
	return m
}

// ticketHistory answers GET /api/v1/ticket_history/{id} as history_get(true) does:
// {history: [...], assets: {...}} (the fake's assets are empty).
func (s *Server) ticketHistory(st *ticketState) (int, any) {
	list := make([]map[string]any, 0, len(st.history))
	for _, e := range st.history {
		list = append(list, historyJSON(e))
	}
	return http.StatusOK, map[string]any{"history": list, "assets": map[string]any{}}
}

// articlesByTicket answers GET /api/v1/ticket_articles/by_ticket/{id}: every article,
// oldest first, with sender and type by name (attributes_with_association_names).
func (s *Server) articlesByTicket(st *ticketState) (int, any) {
	out := make([]map[string]any, 0, len(st.articles))
	for _, a := range st.articles {
		m := articleJSON(a)
		m["sender_id"], m["type_id"] = orNil(senderIDs[a.Sender]), orNil(articleTypeIDs[a.Type])
		m["time_unit"] = nil
		if a.AccountedTime != 0 {
			m["time_unit"] = strconv.FormatFloat(a.AccountedTime, 'f', 1, 64)
		}
		out = append(out, m)
	}
	return http.StatusOK, out
}
