// Package directory manages who and what the newsroom is made of: units, staff,
// columns and themes. Administrators change them; everyone signed in reads them.
// A nil actor is the local operator at the command line, who may do anything.
package directory

import (
	"context"
	"slices"
	"strings"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/auth"
)

// Service manages the directory.
type Service struct {
	Store herald.Store
	Clock herald.Clock
}

// NewService returns a directory service.
func NewService(store herald.Store, clock herald.Clock) *Service {
	return &Service{Store: store, Clock: clock}
}

func (s *Service) event(actor *herald.Staff, action string) herald.Event {
	ev := herald.Event{At: s.Clock.Now(), Action: action}
	if actor != nil {
		ev.ActorID = actor.ID
	}
	return ev
}

// require lets the operator (nil actor) and active holders of any of roles pass.
func require(actor *herald.Staff, what string, roles ...herald.Role) error {
	if actor == nil {
		return nil
	}
	if !actor.Active() || !actor.HasRole(roles...) {
		return herald.Errorf(herald.EFORBIDDEN, "Only %s can %s.", roleNames(roles), what)
	}
	return nil
}

func roleNames(roles []herald.Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = strings.ReplaceAll(string(r), "_", "-") + "s"
	}
	return strings.Join(s, " and ")
}

// CreateUnit adds a unit. Admins only.
func (s *Service) CreateUnit(ctx context.Context, actor *herald.Staff, u *herald.Unit) error {
	if err := require(actor, "add units", herald.RoleAdmin); err != nil {
		return err
	}
	return s.Store.CreateUnit(ctx, u, s.event(actor, "create"))
}

// UpdateUnit changes a unit. Admins only.
func (s *Service) UpdateUnit(ctx context.Context, actor *herald.Staff, id int64, upd herald.UnitUpdate) (*herald.Unit, error) {
	if err := require(actor, "change units", herald.RoleAdmin); err != nil {
		return nil, err
	}
	return s.Store.UpdateUnit(ctx, id, upd, s.event(actor, "update"))
}

// NewStaff is a staff member to add, with their first password.
type NewStaff struct {
	herald.Staff
	Password string `json:"password"`
}

// CreateStaff adds a staff member. Admins only.
func (s *Service) CreateStaff(ctx context.Context, actor *herald.Staff, n NewStaff) (*herald.Staff, error) {
	if err := require(actor, "add staff", herald.RoleAdmin); err != nil {
		return nil, err
	}
	st := n.Staff
	st.ID, st.DisabledAt = 0, nil
	st.Username = strings.ToLower(strings.TrimSpace(st.Username))
	var p herald.Problems
	if err := st.Validate(); err != nil {
		for _, f := range herald.ErrorFields(err) {
			p.Add(f.Field, "%s", f.Message)
		}
	}
	if err := auth.ValidatePassword(n.Password); err != nil {
		for _, f := range herald.ErrorFields(err) {
			p.Add(f.Field, "%s", f.Message)
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	hash, err := auth.HashPassword(n.Password)
	if err != nil {
		return nil, err
	}
	st.PasswordHash = hash
	if err := s.Store.CreateStaff(ctx, &st, s.event(actor, "create")); err != nil {
		return nil, err
	}
	return &st, nil
}

// UpdateStaff changes a staff member's profile, roles or active flag. Admins
// only; nobody disables themselves or takes away their own admin role, so that
// the last administrator cannot lock everyone out by accident.
func (s *Service) UpdateStaff(ctx context.Context, actor *herald.Staff, id int64, upd herald.StaffUpdate) (*herald.Staff, error) {
	if err := require(actor, "change staff", herald.RoleAdmin); err != nil {
		return nil, err
	}
	upd.PasswordHash = nil
	if actor != nil && actor.ID == id {
		if upd.Disabled != nil && *upd.Disabled {
			return nil, herald.Invalid("disabled", "you cannot disable your own account")
		}
		if upd.Roles != nil && !slices.Contains(*upd.Roles, herald.RoleAdmin) {
			return nil, herald.Invalid("roles", "you cannot remove your own admin role")
		}
	}
	action := "update"
	if upd.Disabled != nil {
		action = map[bool]string{true: "disable", false: "enable"}[*upd.Disabled]
	}
	return s.Store.UpdateStaff(ctx, id, upd, s.event(actor, action))
}

// SetPassword changes a password: staff change their own by giving the current
// one; admins (and the operator) reset anyone's.
func (s *Service) SetPassword(ctx context.Context, actor *herald.Staff, id int64, current, next string) error {
	self := actor != nil && actor.ID == id
	if self {
		if !auth.CheckPassword(actor.PasswordHash, current) {
			return herald.Invalid("current_password", "is not your current password")
		}
	} else if err := require(actor, "reset other people's passwords", herald.RoleAdmin); err != nil {
		return err
	}
	hash, err := auth.HashPassword(next)
	if err != nil {
		return err
	}
	action := "password_reset"
	if self {
		action = "password_change"
	}
	_, err = s.Store.UpdateStaff(ctx, id, herald.StaffUpdate{PasswordHash: &hash}, s.event(actor, action))
	return err
}

// CreateColumn adds a column. Admins and the editor-in-chief.
func (s *Service) CreateColumn(ctx context.Context, actor *herald.Staff, c *herald.Column) error {
	if err := require(actor, "add columns", herald.RoleAdmin, herald.RoleEditorInChief); err != nil {
		return err
	}
	return s.Store.CreateColumn(ctx, c, s.event(actor, "create"))
}

// UpdateColumn changes a column. Admins and the editor-in-chief.
func (s *Service) UpdateColumn(ctx context.Context, actor *herald.Staff, id int64, upd herald.ColumnUpdate) (*herald.Column, error) {
	if err := require(actor, "change columns", herald.RoleAdmin, herald.RoleEditorInChief); err != nil {
		return nil, err
	}
	return s.Store.UpdateColumn(ctx, id, upd, s.event(actor, "update"))
}

// CreateTheme adds a theme. Admins and the editor-in-chief.
func (s *Service) CreateTheme(ctx context.Context, actor *herald.Staff, t *herald.Theme) error {
	if err := require(actor, "add themes", herald.RoleAdmin, herald.RoleEditorInChief); err != nil {
		return err
	}
	return s.Store.CreateTheme(ctx, t, s.event(actor, "create"))
}

// UpdateTheme changes a theme. Admins and the editor-in-chief.
func (s *Service) UpdateTheme(ctx context.Context, actor *herald.Staff, id int64, upd herald.ThemeUpdate) (*herald.Theme, error) {
	if err := require(actor, "change themes", herald.RoleAdmin, herald.RoleEditorInChief); err != nil {
		return nil, err
	}
	return s.Store.UpdateTheme(ctx, id, upd, s.event(actor, "update"))
}
