package directory_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/directory"
	"github.com/heraldnews/herald/sqlite"
	"github.com/heraldnews/herald/storetest"
)

// An administrator of a city bureau manages that bureau and what lies below
// it, and nothing else; the publicity center's administrator manages all.
func TestAdministratorsManageTheirSubtree(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w := storetest.NewWorld(t, s)
	dir := directory.NewService(s, func() time.Time { return storetest.T0 })
	cityAdmin := &herald.Staff{Username: "cityadmin", Name: "市局管理员", StaffCode: "SJZ009", UnitID: w.City.ID, Roles: []herald.Role{herald.RoleAdmin}}
	if err := s.CreateStaff(ctx, cityAdmin, herald.Event{At: storetest.T0}); err != nil {
		t.Fatal(err)
	}
	name := "正定县司法局（新）"
	if _, err := dir.UpdateUnit(ctx, cityAdmin, w.County.ID, herald.UnitUpdate{Name: &name}); err != nil {
		t.Fatalf("city admin renames a county below: %v", err)
	}
	if _, err := dir.UpdateStaff(ctx, cityAdmin, w.CountyWriter.ID, herald.StaffUpdate{Name: &name}); err != nil {
		t.Fatalf("city admin edits county staff: %v", err)
	}
	forbidden := map[string]error{}
	_, forbidden["rename the center"] = dir.UpdateUnit(ctx, cityAdmin, w.Center.ID, herald.UnitUpdate{Name: &name})
	_, forbidden["move own bureau"] = dir.UpdateUnit(ctx, cityAdmin, w.City.ID, herald.UnitUpdate{ParentID: &w.Center.ID})
	_, forbidden["move a county out"] = dir.UpdateUnit(ctx, cityAdmin, w.County.ID, herald.UnitUpdate{ParentID: &w.Dept.ID})
	forbidden["add a unit to the department"] = dir.CreateUnit(ctx, cityAdmin, &herald.Unit{Code: "X", Name: "新单位", Type: herald.UnitCityBureau, ParentID: w.Dept.ID})
	_, forbidden["add staff to the center"] = dir.CreateStaff(ctx, cityAdmin, directory.NewStaff{Staff: herald.Staff{Username: "x1", Name: "某", StaffCode: "X1", UnitID: w.Center.ID, Roles: []herald.Role{herald.RoleEditor}}, Password: "a long enough password"})
	_, forbidden["edit the chief"] = dir.UpdateStaff(ctx, cityAdmin, w.Chief.ID, herald.StaffUpdate{Name: &name})
	_, forbidden["move a writer to the center"] = dir.UpdateStaff(ctx, cityAdmin, w.Writer.ID, herald.StaffUpdate{UnitID: &w.Center.ID})
	forbidden["reset the chief's password"] = dir.SetPassword(ctx, cityAdmin, w.Chief.ID, "", "a long enough password")
	_, forbidden["change a column"] = dir.UpdateColumn(ctx, cityAdmin, w.News.ID, herald.ColumnUpdate{Name: &name})
	forbidden["add a theme"] = dir.CreateTheme(ctx, cityAdmin, &herald.Theme{Slug: "t", Name: "主题"})
	forbidden["change the site settings"] = dir.UpdateSettings(ctx, cityAdmin, &herald.SiteSettings{SiteName: "市局网站"})
	for what, err := range forbidden {
		if herald.ErrorCode(err) != herald.EFORBIDDEN {
			t.Errorf("city admin may %s: %v", what, err)
		}
	}
	if _, err := dir.UpdateUnit(ctx, w.Admin, w.City.ID, herald.UnitUpdate{Name: &name}); err != nil {
		t.Fatalf("the center's admin renames a city bureau: %v", err)
	}
	if _, err := dir.UpdateColumn(ctx, w.Chief, w.News.ID, herald.ColumnUpdate{Name: &name}); err != nil {
		t.Fatalf("the editor-in-chief changes a column: %v", err)
	}
}

// A password reset or a disabled account ends the person's sessions, whether
// it comes from the newsroom or the API.
func TestPasswordResetAndDisableEndSessions(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w := storetest.NewWorld(t, s)
	dir := directory.NewService(s, func() time.Time { return storetest.T0 })
	session := func(st *herald.Staff, hash string) {
		if err := s.CreateSession(ctx, &herald.Session{Hash: hash, StaffID: st.ID, CSRF: "c", ExpiresAt: storetest.T0.Add(time.Hour)}, herald.Event{At: storetest.T0}); err != nil {
			t.Fatal(err)
		}
	}
	alive := func(hash string) bool { _, err := s.FindSessionByHash(ctx, hash); return err == nil }
	session(w.Writer, "w1")
	session(w.Editor, "e1")
	session(w.Chief, "c1") // a bystander
	if err := dir.SetPassword(ctx, w.Admin, w.Writer.ID, "", "a long enough password"); err != nil {
		t.Fatal(err)
	}
	yes := true
	if _, err := dir.UpdateStaff(ctx, w.Admin, w.Editor.ID, herald.StaffUpdate{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	if alive("w1") || alive("e1") || !alive("c1") {
		t.Fatalf("sessions after reset/disable: writer %v, editor %v, bystander %v", alive("w1"), alive("e1"), alive("c1"))
	}
}
