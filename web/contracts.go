package web

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/internal/problem"
	"github.com/monobunt/slaguard/sla"
)

type contractRow struct {
	*contracts.Contract
	Active bool
}

type contractListData struct {
	layoutData
	Contracts []contractRow
	Saved     string
}

func (s *Server) contractList(c echo.Context) error {
	page, err := s.cfg.Contracts.List(c.Request().Context(), contracts.ListQuery{PerPage: contracts.MaxPerPage})
	if err != nil {
		return err
	}
	d := contractListData{layoutData: frame(c, "Contracts", "contracts"), Saved: c.QueryParam("saved")}
	now := s.cfg.Clock()
	for _, ct := range page.Items {
		d.Contracts = append(d.Contracts, contractRow{Contract: ct, Active: ct.ActiveAt(now)})
	}
	return s.render(c, http.StatusOK, "contracts.html", d)
}

// field is one input of the contract form as the template shows it.
type field struct {
	ID, Name, Label, Type, Value, Help, Error string
	Options                                   []option
}

type option struct {
	Value, Label string
	Selected     bool
}

type section struct {
	Legend string
	Fields []field
}

type contractFormData struct {
	layoutData
	ID       string
	Version  int
	Creating bool
	// Alert says what went wrong with the whole form (a stale edit, a conflict);
	// Unplaced lists API messages about fields the form does not show.
	Alert    string
	Stale    bool
	Unplaced []string
	Sections []section
}

func (s *Server) contractNew(c echo.Context) error {
	return s.renderContractForm(c, http.StatusOK, contractFormData{Creating: true}, form{"plan": "sla1"}, nil)
}

func (s *Server) contractEdit(c echo.Context) error {
	ct, err := s.cfg.Contracts.Get(c.Request().Context(), c.Param("id"))
	if errors.Is(err, contracts.ErrNotFound) {
		return s.renderError(c, http.StatusNotFound, "There is no contract with this id.")
	}
	if err != nil {
		return err
	}
	return s.renderContractForm(c, http.StatusOK, contractFormData{ID: ct.ID, Version: ct.Version}, formOf(ct.Spec), nil)
}

func (s *Server) contractCreate(c echo.Context) error {
	f := postedForm(c)
	spec, bad := f.spec(contracts.Spec{})
	if err := validate(&spec, bad); err != nil {
		return s.renderContractForm(c, http.StatusUnprocessableEntity, contractFormData{Creating: true}, f, err)
	}
	ct, err := s.cfg.Contracts.Create(c.Request().Context(), spec)
	if err != nil {
		return s.contractSaveFailed(c, contractFormData{Creating: true}, f, err)
	}
	if err := s.record(c, "create", nil, ct); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/contracts?saved="+ct.ID)
}

func (s *Server) contractSave(c echo.Context) error {
	ctx := c.Request().Context()
	cur, err := s.cfg.Contracts.Get(ctx, c.Param("id"))
	if errors.Is(err, contracts.ErrNotFound) {
		return s.renderError(c, http.StatusNotFound, "There is no contract with this id.")
	}
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	d := contractFormData{ID: cur.ID, Version: version}
	f := postedForm(c)
	spec, bad := f.spec(cur.Spec)
	if err := validate(&spec, bad); err != nil {
		return s.renderContractForm(c, http.StatusUnprocessableEntity, d, f, err)
	}
	ct, err := s.cfg.Contracts.Update(ctx, cur.ID, version, spec)
	if err != nil {
		return s.contractSaveFailed(c, d, f, err)
	}
	if err := s.record(c, "replace", cur, ct); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/contracts?saved="+cur.ID)
}

// record appends a change made through the pages to the contract's audit trail, as the
// REST API does, naming the admin the session logged in as.
func (s *Server) record(c echo.Context, action string, before, after *contracts.Contract) error {
	who := current(c).Name
	if who == "" {
		who = "unknown"
	}
	return s.cfg.Contracts.Record(c.Request().Context(), after.ID, contracts.Change{
		At: s.cfg.Clock().UTC(), Who: who, Action: action, Before: before, After: after})
}

// validate runs the API's own validation of a contract, adding what the form could not
// read; it returns nil or the 422 problem listing every bad field.
func validate(spec *contracts.Spec, unreadable []problem.FieldError) *problem.Problem {
	spec.Normalize()
	bad := unreadable
	if err := spec.Validate(nil); err != nil {
		var p *problem.Problem
		if !errors.As(err, &p) {
			p = problem.New(http.StatusUnprocessableEntity, err.Error())
		}
		// A field the form could not read says so once, not also in the API's words.
		for _, e := range p.Errors {
			if !hasField(unreadable, e.Field) {
				bad = append(bad, e)
			}
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return problem.Fields(http.StatusUnprocessableEntity, "the contract has invalid fields", bad...)
}

func hasField(errs []problem.FieldError, field string) bool {
	for _, e := range errs {
		if e.Field == field {
			return true
		}
	}
	return false
}

// contractSaveFailed explains a refused write in the form: a stale version, a conflict
// with another contract, a deleted contract.
func (s *Server) contractSaveFailed(c echo.Context, d contractFormData, f form, err error) error {
	var ce *contracts.ConflictError
	switch {
	case errors.Is(err, contracts.ErrStale):
		d.Stale = true
		d.Alert = "Someone else changed this contract after you opened it, so your changes were not saved. " +
			"Open the current version, then make your changes again."
		return s.renderContractForm(c, http.StatusPreconditionFailed, d, f, nil)
	case errors.As(err, &ce):
		field := "organizations"
		if ce.Kind == "domain" {
			field = "domains"
		}
		p := problem.Fields(http.StatusConflict, "conflict", problem.FieldError{Field: field,
			Reason: fmt.Sprintf("%s is held by contract %s, whose validity overlaps", ce.Value, ce.ContractID)})
		return s.renderContractForm(c, http.StatusConflict, d, f, p)
	case errors.Is(err, contracts.ErrDeleted):
		d.Alert = "This contract is deleted and can no longer change."
		return s.renderContractForm(c, http.StatusConflict, d, f, nil)
	}
	return err
}

func postedForm(c echo.Context) form {
	f := form{}
	for _, name := range formFields() {
		f[name] = c.FormValue(name)
	}
	return f
}

func formFields() []string {
	names := []string{"customer", "plan", "starts_on", "ends_on", "organizations", "domains",
		"quota_per_month", "hourly_rate_cents", "critical_rate_cents", "at_risk_percent", "critical_24x7",
		"confirmation", "emergency_phone", "billing_increment", "calendar.preset", "calendar.closed_days",
		"notify.slack_url", "notify.teams_url", "notify.mattermost_url", "notify.email", "notify.marks"}
	for _, p := range priorities {
		names = append(names, "first_response."+string(p), "resolution."+string(p))
	}
	return names
}

func (s *Server) renderContractForm(c echo.Context, status int, d contractFormData, f form, p *problem.Problem) error {
	title := "New contract"
	if !d.Creating {
		title = "Edit contract " + d.ID
	}
	d.layoutData = frame(c, title, "contracts")
	errs := map[string]string{}
	if p != nil {
		for _, e := range p.Errors {
			name := fieldOf(e.Field)
			msg := e.Reason
			if name != e.Field {
				msg = strings.TrimPrefix(e.Field, name) + ": " + msg
			}
			if prev, ok := errs[name]; ok {
				msg = prev + "; " + msg
			}
			errs[name] = msg
		}
		if d.Alert == "" {
			d.Alert = "The contract was not saved: please correct the marked fields."
		}
	}
	d.Sections = contractSections(f, errs)
	shown := map[string]bool{}
	for _, sec := range d.Sections {
		for _, fl := range sec.Fields {
			shown[fl.Name] = true
		}
	}
	for name, msg := range errs {
		if !shown[name] {
			d.Unplaced = append(d.Unplaced, name+": "+msg)
		}
	}
	sort.Strings(d.Unplaced)
	return s.render(c, status, "contract_form.html", d)
}

func contractSections(f form, errs map[string]string) []section {
	mk := func(name, label, typ, help string, opts ...option) field {
		fl := field{ID: "f-" + strings.NewReplacer(".", "-", "_", "-").Replace(name), Name: name, Label: label,
			Type: typ, Value: f[name], Help: help, Error: errs[name]}
		for _, o := range opts {
			o.Selected = o.Value == f[name]
			fl.Options = append(fl.Options, o)
		}
		return fl
	}
	var plans []option
	for _, id := range sla.PlanIDs() {
		plans = append(plans, option{Value: id, Label: id})
	}
	tri := []option{{Value: "", Label: "as the plan says"}, {Value: "yes", Label: "yes"}, {Value: "no", Label: "no"}}
	secs := []section{
		{Legend: "Customer", Fields: []field{
			mk("customer", "Customer", "text", "The customer's name as it appears on reports."),
			mk("plan", "Plan", "select", "The plan gives every target, quota and rate not overridden below.", plans...),
			mk("starts_on", "Starts on", "date", "First day covered (Europe/Vienna), YYYY-MM-DD."),
			mk("ends_on", "Ends on", "date", "Last day covered; empty for open-ended."),
			mk("organizations", "Helpdesk organisations", "textarea", "One per line: the helpdesk's organisation ids or names."),
			mk("domains", "E-mail domains", "textarea", "One per line, like example.at. Organisations or domains must name at least one entry."),
		}},
	}
	var fr, res []field
	for _, p := range priorities {
		fr = append(fr, mk("first_response."+string(p), "First response, "+string(p), "text", "Business time like 8h or 90m; empty keeps the plan's."))
		res = append(res, mk("resolution."+string(p), "Resolution, "+string(p), "text", "Business time like 48h; empty keeps the plan's, 0s removes it."))
	}
	secs = append(secs,
		section{Legend: "First-response targets", Fields: fr},
		section{Legend: "Resolution targets", Fields: res},
		section{Legend: "Quota, rates and marks", Fields: []field{
			mk("quota_per_month", "Tickets included per month", "text", "Empty keeps the plan's (5)."),
			mk("hourly_rate_cents", "Hourly rate (EUR)", "text", "Regie rate, like 95.00; empty keeps the plan's."),
			mk("critical_rate_cents", "Critical rate (EUR)", "text", "Rate for critical work outside business hours, like 160.00."),
			mk("at_risk_percent", "At risk at (% of target used)", "text", "1 to 99; empty means 80."),
			mk("billing_increment", "Billing increment", "text", "Round billable entries up to this, like 15m; empty for none."),
		}},
		section{Legend: "Critical cases and confirmation", Fields: []field{
			mk("critical_24x7", "Critical cases 24/7", "select", "", tri...),
			mk("confirmation", "Real-time ticket confirmation", "select", "", tri...),
			mk("emergency_phone", "Emergency phone", "text", "Told to customers who report a critical problem off hours."),
		}},
		section{Legend: "Business calendar", Fields: []field{
			mk("calendar.preset", "Calendar", "select", "Opening hours and weekdays of a custom calendar are kept as they are.",
				option{Value: "", Label: "business hours (Mon–Fri 08:00–17:00, Austrian holidays)"}, option{Value: "24x7", Label: "24/7"}),
			mk("calendar.closed_days", "Extra closing days", "textarea", "One date per line, like 2026-12-24."),
		}},
		section{Legend: "Push notifications", Fields: []field{
			mk("notify.slack_url", "Slack webhook URL", "url", "A Slack incoming webhook, https://hooks.slack.com/services/…; empty for none."),
			mk("notify.teams_url", "Teams workflow URL", "url", "The URL of a Teams workflow \"When a Teams webhook request is received\" (not an Office 365 connector); empty for none."),
			mk("notify.mattermost_url", "Mattermost webhook URL", "url", "A Mattermost incoming webhook, https://…/hooks/…; empty for none."),
			mk("notify.email", "E-mail addresses", "textarea", "One per line; they get one e-mail per warning."),
			mk("notify.marks", "Warnings pushed", "select", "",
				option{Value: "", Label: "at risk and breached"}, option{Value: "breach", Label: "breached only"},
				option{Value: "at_risk", Label: "at risk only"}),
		}},
	)
	return secs
}
