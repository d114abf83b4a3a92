package herald

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// UnitType says what kind of organisation a unit is.
type UnitType string

// Unit types, from the provincial department down to offices.
const (
	UnitDepartment      UnitType = "department"
	UnitPublicityCenter UnitType = "publicity_center"
	UnitCityBureau      UnitType = "city_bureau"
	UnitCountyBureau    UnitType = "county_bureau"
	UnitNotaryOffice    UnitType = "notary_office"
	UnitLegalAidCenter  UnitType = "legal_aid_center"
	UnitJudicialOffice  UnitType = "judicial_office"
)

// UnitTypes lists every unit type in display order.
var UnitTypes = []UnitType{UnitDepartment, UnitPublicityCenter, UnitCityBureau, UnitCountyBureau,
	UnitNotaryOffice, UnitLegalAidCenter, UnitJudicialOffice}

// Valid reports whether t is a known unit type.
func (t UnitType) Valid() bool {
	for _, k := range UnitTypes {
		if t == k {
			return true
		}
	}
	return false
}

// Unit is an organisation in the province's tree: the department, its publicity
// center, city and county bureaus, and offices such as notary and legal-aid centers.
type Unit struct {
	ID        int64     `json:"id"`
	ParentID  int64     `json:"parent_id,omitempty"` // 0 for the root
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	NameEn    string    `json:"name_en,omitempty"`
	Type      UnitType  `json:"type"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

var codePattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9_-]{0,31}$`)

// Validate checks the unit's own fields (not its place in the tree).
func (u *Unit) Validate() error {
	var p Problems
	if !codePattern.MatchString(u.Code) {
		p.Add("code", "must be 1-32 upper-case letters, digits, '-' or '_', starting with a letter or digit")
	}
	checkName(&p, "name", u.Name, true)
	checkName(&p, "name_en", u.NameEn, false)
	if !u.Type.Valid() {
		p.Add("type", "must be one of %s", joinTypes(UnitTypes))
	}
	if u.ParentID < 0 {
		p.Add("parent_id", "must be a unit ID")
	}
	return p.Err()
}

func joinTypes[T ~string](ts []T) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

// checkName validates a one-line name of at most 200 characters.
func checkName(p *Problems, field, v string, required bool) {
	switch {
	case required && strings.TrimSpace(v) == "":
		p.Add(field, "is required")
	case !utf8.ValidString(v) || strings.ContainsAny(v, "\r\n\t\x00"):
		p.Add(field, "must be one line of valid text")
	case utf8.RuneCountInString(v) > 200:
		p.Add(field, "must be at most 200 characters")
	}
}

// UnitFilter selects units; zero fields do not filter.
type UnitFilter struct {
	ID       int64
	Code     string
	ParentID int64
	Offset   int
	Limit    int
}

// UnitUpdate holds the fields of a unit that may change; nil fields stay as they are.
type UnitUpdate struct {
	ParentID *int64    `json:"parent_id"`
	Name     *string   `json:"name"`
	NameEn   *string   `json:"name_en"`
	Type     *UnitType `json:"type"`
}

// Apply copies the set fields of upd into u.
func (upd UnitUpdate) Apply(u *Unit) {
	setIf(&u.ParentID, upd.ParentID)
	setIf(&u.Name, upd.Name)
	setIf(&u.NameEn, upd.NameEn)
	setIf(&u.Type, upd.Type)
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// UnitStore persists units. Errors: EINVALID (bad fields, unknown parent, a cycle),
// ECONFLICT (code taken), ENOTFOUND.
type UnitStore interface {
	CreateUnit(ctx context.Context, u *Unit, ev Event) error
	UpdateUnit(ctx context.Context, id int64, upd UnitUpdate, ev Event) (*Unit, error)
	FindUnits(ctx context.Context, f UnitFilter) ([]*Unit, int, error)
	FindUnitByID(ctx context.Context, id int64) (*Unit, error)
}

// UnitTree answers questions about the tree of units.
type UnitTree struct {
	byID map[int64]*Unit
}

// NewUnitTree indexes units by ID.
func NewUnitTree(units []*Unit) *UnitTree {
	t := &UnitTree{byID: make(map[int64]*Unit, len(units))}
	for _, u := range units {
		t.byID[u.ID] = u
	}
	return t
}

// Unit returns the unit with the ID, or nil.
func (t *UnitTree) Unit(id int64) *Unit { return t.byID[id] }

// Within reports whether unit id is root or one of root's descendants.
func (t *UnitTree) Within(id, root int64) bool {
	for seen := 0; id != 0 && seen <= len(t.byID); seen++ {
		if id == root {
			return true
		}
		u := t.byID[id]
		if u == nil {
			return false
		}
		id = u.ParentID
	}
	return false
}

// Subtree returns the IDs of root and its descendants in ID order: empty, not
// nil, when root is unknown.
func (t *UnitTree) Subtree(root int64) []int64 {
	ids := []int64{}
	for id := range t.byID {
		if t.Within(id, root) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// ScopeRoot returns the root of the subtree a member of unit id acts for: a
// publicity center acts for the unit it belongs to (the department's center covers
// the whole department), every other unit for itself.
func (t *UnitTree) ScopeRoot(id int64) int64 {
	if u := t.byID[id]; u != nil && u.Type == UnitPublicityCenter && u.ParentID != 0 {
		return u.ParentID
	}
	return id
}
