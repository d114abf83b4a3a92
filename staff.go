package herald

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Role is a permission set a staff member holds.
type Role string

// Roles. Admins manage people and settings, editors review and publish, the
// editor-in-chief holds the third review level, correspondents write for their unit.
const (
	RoleAdmin         Role = "admin"
	RoleEditorInChief Role = "editor_in_chief"
	RoleEditor        Role = "editor"
	RoleCorrespondent Role = "correspondent"
	RoleTranslator    Role = "translator"
	RoleTrainer       Role = "trainer"
	RoleViewer        Role = "viewer"
)

// Languages are the languages the newsroom speaks; the first is the default.
var Languages = []string{"zh-CN", "en"}

// Roles lists every role in display order.
var Roles = []Role{RoleAdmin, RoleEditorInChief, RoleEditor, RoleCorrespondent, RoleTranslator, RoleTrainer, RoleViewer}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Staff is a person who works in Herald.
type Staff struct {
	ID           int64      `json:"id"`
	Username     string     `json:"username"`
	Name         string     `json:"name"`
	NameEn       string     `json:"name_en,omitempty"`
	StaffCode    string     `json:"staff_code"`
	UnitID       int64      `json:"unit_id"`
	Roles        []Role     `json:"roles"`
	Skills       []string   `json:"skills"`
	Email        string     `json:"email,omitempty"` // where their notifications are mailed, lower case; "" for none; never shared
	DisabledAt   *time.Time `json:"disabled_at,omitempty"`
	PasswordHash string     `json:"-"`
	Language     string     `json:"language,omitempty"` // the newsroom's language for them: "zh-CN", "en", or "" for the default
	TOTPSecret   string     `json:"-"`                  // base32 secret of their authenticator app; "" when they use none
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// Active reports whether the account may sign in.
func (s *Staff) Active() bool { return s.DisabledAt == nil }

// HasRole reports whether s holds any of the roles.
func (s *Staff) HasRole(roles ...Role) bool {
	for _, r := range roles {
		if slices.Contains(s.Roles, r) {
			return true
		}
	}
	return false
}

// Byline is how a responsible editor is named on a published piece: "王亚兰_DW110".
func (s *Staff) Byline() string { return s.Name + "_" + s.StaffCode }

var usernamePattern = regexp.MustCompile(`^[a-z][a-z0-9._-]{1,31}$`)

// Validate checks the staff member's fields.
func (s *Staff) Validate() error {
	var p Problems
	if !usernamePattern.MatchString(s.Username) {
		p.Add("username", "must be 2-32 lower-case letters, digits, '.', '_' or '-', starting with a letter")
	}
	checkName(&p, "name", s.Name, true)
	checkName(&p, "name_en", s.NameEn, false)
	if !codePattern.MatchString(s.StaffCode) {
		p.Add("staff_code", "must be 1-32 upper-case letters, digits, '-' or '_'")
	}
	if s.UnitID <= 0 {
		p.Add("unit_id", "is required")
	}
	if len(s.Roles) == 0 {
		p.Add("roles", "must name at least one role")
	}
	for _, r := range s.Roles {
		if !r.Valid() {
			p.Add("roles", "unknown role %q; roles are %s", r, joinTypes(Roles))
			break
		}
	}
	if !slices.Contains(Languages, s.Language) && s.Language != "" {
		p.Add("language", "must be one of %s", strings.Join(Languages, ", "))
	}
	if s.Email != "" {
		if _, err := NormalizeEmail(s.Email); err != nil {
			p.Add("email", "must be an e-mail address such as name@example.com")
		}
	}
	if len(s.Skills) > 20 {
		p.Add("skills", "at most 20 skills")
	}
	for _, k := range s.Skills {
		if k = strings.TrimSpace(k); k == "" || utf8.RuneCountInString(k) > 40 || !utf8.ValidString(k) {
			p.Add("skills", "each skill must be 1-40 characters")
			break
		}
	}
	return p.Err()
}

// Normalize sorts and de-duplicates roles and skills so that equal sets store equally.
func (s *Staff) Normalize() {
	slices.Sort(s.Roles)
	s.Roles = slices.Compact(s.Roles)
	for i := range s.Skills {
		s.Skills[i] = strings.TrimSpace(s.Skills[i])
	}
	s.Skills = slices.Compact(s.Skills)
	// addresses compare without case, as NormalizeEmail keeps them
	s.Email = strings.ToLower(strings.TrimSpace(s.Email))
	if s.Roles == nil {
		s.Roles = []Role{}
	}
	if s.Skills == nil {
		s.Skills = []string{}
	}
}

// StaffFilter selects staff; zero fields do not filter.
type StaffFilter struct {
	ID       int64
	IDs      []int64 // any of these people; nil does not filter, empty selects none
	Username string
	UnitID   int64
	Role     Role
	Offset   int
	Limit    int
}

// StaffUpdate holds the fields of a staff member that may change.
type StaffUpdate struct {
	Name         *string   `json:"name"`
	NameEn       *string   `json:"name_en"`
	StaffCode    *string   `json:"staff_code"`
	UnitID       *int64    `json:"unit_id"`
	Roles        *[]Role   `json:"roles"`
	Skills       *[]string `json:"skills"`
	Disabled     *bool     `json:"disabled"`
	PasswordHash *string   `json:"-"`
	Language     *string   `json:"language"`
	TOTPSecret   *string   `json:"-"`
	Email        *string   `json:"email"`
}

// Apply copies the set fields of upd into s; now is when a disabling happens.
func (upd StaffUpdate) Apply(s *Staff, now time.Time) {
	setIf(&s.Name, upd.Name)
	setIf(&s.NameEn, upd.NameEn)
	setIf(&s.StaffCode, upd.StaffCode)
	setIf(&s.UnitID, upd.UnitID)
	setIf(&s.Roles, upd.Roles)
	setIf(&s.Skills, upd.Skills)
	setIf(&s.PasswordHash, upd.PasswordHash)
	setIf(&s.Language, upd.Language)
	setIf(&s.TOTPSecret, upd.TOTPSecret)
	setIf(&s.Email, upd.Email)
	if upd.Disabled != nil {
		switch {
		case *upd.Disabled && s.DisabledAt == nil:
			s.DisabledAt = &now
		case !*upd.Disabled:
			s.DisabledAt = nil
		}
	}
}

// StaffStore persists staff. Errors: EINVALID, ECONFLICT (username, staff code or e-mail address
// taken), ENOTFOUND.
type StaffStore interface {
	CreateStaff(ctx context.Context, s *Staff, ev Event) error
	// UpdateStaff changes a staff member; a new password or a disabled account
	// also ends all their sessions, in the same transaction.
	UpdateStaff(ctx context.Context, id int64, upd StaffUpdate, ev Event) (*Staff, error)
	FindStaff(ctx context.Context, f StaffFilter) ([]*Staff, int, error)
	FindStaffByID(ctx context.Context, id int64) (*Staff, error)
}
