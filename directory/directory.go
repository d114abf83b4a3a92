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

// within refuses units outside the subtree actor manages: an administrator of a
// city bureau manages that bureau and the units below it, one of the
// publicity center the whole department. The operator (nil) manages all.
func (s *Service) within(ctx context.Context, actor *herald.Staff, unitIDs ...int64) error {
	if actor == nil {
		return nil
	}
	tree, root, err := s.scope(ctx, actor)
	if err != nil {
		return err
	}
	for _, id := range unitIDs {
		if id != 0 && !tree.Within(id, root) {
			return herald.Errorf(herald.EFORBIDDEN, "Unit %d is outside the units you manage.", id)
		}
	}
	return nil
}

// wholeProvince refuses actors who manage less than the whole tree: columns,
// themes and settings are the province's.
func (s *Service) wholeProvince(ctx context.Context, actor *herald.Staff, what string) error {
	if actor == nil {
		return nil
	}
	tree, root, err := s.scope(ctx, actor)
	if err != nil {
		return err
	}
	if u := tree.Unit(root); u == nil || u.ParentID != 0 {
		return herald.Errorf(herald.EFORBIDDEN, "Only administrators of the whole province can %s.", what)
	}
	return nil
}

func (s *Service) scope(ctx context.Context, actor *herald.Staff) (*herald.UnitTree, int64, error) {
	units, _, err := s.Store.FindUnits(ctx, herald.UnitFilter{})
	if err != nil {
		return nil, 0, err
	}
	tree := herald.NewUnitTree(units)
	return tree, tree.ScopeRoot(actor.UnitID), nil
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
	if err := s.within(ctx, actor, u.ParentID); err != nil {
		return err
	}
	return s.Store.CreateUnit(ctx, u, s.event(actor, "create"))
}

// UpdateUnit changes a unit. Admins only.
func (s *Service) UpdateUnit(ctx context.Context, actor *herald.Staff, id int64, upd herald.UnitUpdate) (*herald.Unit, error) {
	if err := require(actor, "change units", herald.RoleAdmin); err != nil {
		return nil, err
	}
	parent := int64(0)
	if upd.ParentID != nil {
		parent = *upd.ParentID
	}
	if err := s.within(ctx, actor, id, parent); err != nil {
		return nil, err
	}
	// Moving or retyping the top of one's own subtree could widen it.
	if actor != nil && (upd.ParentID != nil || upd.Type != nil) {
		if _, root, err := s.scope(ctx, actor); err != nil {
			return nil, err
		} else if root == id {
			if err := s.wholeProvince(ctx, actor, "move or retype the unit they administer"); err != nil {
				return nil, err
			}
		}
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
	if err := s.within(ctx, actor, n.UnitID); err != nil {
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
	if err := s.withinStaff(ctx, actor, id); err != nil {
		return nil, err
	}
	if upd.UnitID != nil {
		if err := s.within(ctx, actor, *upd.UnitID); err != nil {
			return nil, err
		}
	}
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
	return s.Store.UpdateStaff(ctx, id, upd, s.event(actor, action)) // disabling ends their sessions
}

// SetPassword changes a password: staff change their own by giving the current
// one; admins (and the operator) reset anyone's. Either way the person is
// signed out everywhere, so that a stolen session dies with the old password.
func (s *Service) SetPassword(ctx context.Context, actor *herald.Staff, id int64, current, next string) error {
	self := actor != nil && actor.ID == id
	if self {
		if !auth.CheckPassword(actor.PasswordHash, current) {
			return herald.Invalid("current_password", "is not your current password")
		}
	} else if err := require(actor, "reset other people's passwords", herald.RoleAdmin); err != nil {
		return err
	} else if err := s.withinStaff(ctx, actor, id); err != nil {
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
	_, err = s.Store.UpdateStaff(ctx, id, herald.StaffUpdate{PasswordHash: &hash}, s.event(actor, action)) // and ends their sessions
	return err
}

// CreateColumn adds a column. Admins and the editor-in-chief.
func (s *Service) CreateColumn(ctx context.Context, actor *herald.Staff, c *herald.Column) error {
	if err := require(actor, "add columns", herald.RoleAdmin, herald.RoleEditorInChief); err != nil {
		return err
	}
	if err := s.wholeProvince(ctx, actor, "add columns"); err != nil {
		return err
	}
	return s.Store.CreateColumn(ctx, c, s.event(actor, "create"))
}

// UpdateColumn changes a column. Admins and the editor-in-chief.
func (s *Service) UpdateColumn(ctx context.Context, actor *herald.Staff, id int64, upd herald.ColumnUpdate) (*herald.Column, error) {
	if err := require(actor, "change columns", herald.RoleAdmin, herald.RoleEditorInChief); err != nil {
		return nil, err
	}
	if err := s.wholeProvince(ctx, actor, "change columns"); err != nil {
		return nil, err
	}
	return s.Store.UpdateColumn(ctx, id, upd, s.event(actor, "update"))
}

// CreateTheme adds a theme. Admins and the editor-in-chief.
func (s *Service) CreateTheme(ctx context.Context, actor *herald.Staff, t *herald.Theme) error {
	if err := require(actor, "add themes", herald.RoleAdmin, herald.RoleEditorInChief); err != nil {
		return err
	}
	if err := s.wholeProvince(ctx, actor, "add themes"); err != nil {
		return err
	}
	return s.Store.CreateTheme(ctx, t, s.event(actor, "create"))
}

// UpdateTheme changes a theme. Admins and the editor-in-chief.
func (s *Service) UpdateTheme(ctx context.Context, actor *herald.Staff, id int64, upd herald.ThemeUpdate) (*herald.Theme, error) {
	if err := require(actor, "change themes", herald.RoleAdmin, herald.RoleEditorInChief); err != nil {
		return nil, err
	}
	if err := s.wholeProvince(ctx, actor, "change themes"); err != nil {
		return nil, err
	}
	return s.Store.UpdateTheme(ctx, id, upd, s.event(actor, "update"))
}

// withinStaff refuses staff of units outside the subtree actor manages.
func (s *Service) withinStaff(ctx context.Context, actor *herald.Staff, id int64) error {
	if actor == nil {
		return nil
	}
	st, err := s.Store.FindStaffByID(ctx, id)
	if err != nil {
		return err
	}
	return s.within(ctx, actor, st.UnitID)
}

// UpdateSettings replaces the site settings. Administrators of the whole
// province only: the header and footer are the province's.
func (s *Service) UpdateSettings(ctx context.Context, actor *herald.Staff, set *herald.SiteSettings) error {
	if err := require(actor, "change the site settings", herald.RoleAdmin); err != nil {
		return err
	}
	if err := s.wholeProvince(ctx, actor, "change the site settings"); err != nil {
		return err
	}
	return s.Store.UpdateSettings(ctx, set, s.event(actor, "update"))
}
