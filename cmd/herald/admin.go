package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/config"
	"github.com/heraldnews/herald/directory"
	"github.com/heraldnews/herald/sqlstore"
)

func cmdMigrate(ctx context.Context, e env, args []string) error {
	return withStore(ctx, e, "migrate", args, nil, func(store *sqlstore.Store, _ *config.Config, _ []string) error {
		v, err := store.SchemaVersion(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "The %s database is at schema %s.\n", store.Engine(), v)
		return nil
	})
}

// withStore parses a subcommand's flags, opens the store and runs fn.
func withStore(ctx context.Context, e env, name string, args []string, define func(fs *flag.FlagSet),
	fn func(store *sqlstore.Store, c *config.Config, rest []string) error) error {
	fs, resolve := flags(e, name)
	if define != nil {
		define(fs)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, err := resolve()
	if err != nil {
		return err
	}
	store, err := openStore(ctx, c.DB())
	if err != nil {
		return err
	}
	defer store.Close()
	return fn(store, c, fs.Args())
}

// describe turns a coded error into a message naming the fields.
func describe(err error) error {
	if err == nil || herald.ErrorCode(err) == herald.EINTERNAL {
		return err
	}
	return errors.New(herald.ErrorMessage(err))
}

// readPassword takes the password from the flag, or else the first line of stdin.
func readPassword(e env, flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	fmt.Fprint(e.stderr, "Password (one line on standard input): ")
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	fmt.Fprintln(e.stderr)
	return strings.TrimRight(line, "\r\n"), nil
}

func findUser(ctx context.Context, s herald.Store, username string) (*herald.Staff, error) {
	staff, _, err := s.FindStaff(ctx, herald.StaffFilter{Username: username})
	if err != nil {
		return nil, err
	} else if len(staff) == 0 {
		return nil, fmt.Errorf("no user %q", username)
	}
	return staff[0], nil
}

func findUnitByCode(ctx context.Context, s herald.Store, code string) (*herald.Unit, error) {
	units, _, err := s.FindUnits(ctx, herald.UnitFilter{Code: code})
	if err != nil {
		return nil, err
	} else if len(units) == 0 {
		return nil, fmt.Errorf("no unit with code %q (see herald unit list)", code)
	}
	return units[0], nil
}

const userUsage = `Usage:
  herald user add --username U --name NAME --code STAFFCODE --unit UNITCODE --roles r1,r2 [--name-en N] [--skills a,b] [--password P]
  herald user passwd USERNAME [--password P]
  herald user list [--unit UNITCODE] [--role ROLE]
  herald user disable USERNAME
  herald user enable USERNAME
Without --password, the password is read from the first line of standard input.
Roles: admin, editor_in_chief, editor, correspondent, translator, trainer, viewer.
`

func cmdUser(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, userUsage)
		return errors.New("user: name a subcommand")
	}
	dir := func(s herald.Store) *directory.Service { return directory.NewService(s, nil) }
	switch args[0] {
	case "add":
		var username, name, nameEn, code, unit, roles, skills, password string
		return withStore(ctx, e, "user add", args[1:], func(fs *flag.FlagSet) {
			fs.StringVar(&username, "username", "", "sign-in name (lower case)")
			fs.StringVar(&name, "name", "", "full name, e.g. 王亚兰")
			fs.StringVar(&nameEn, "name-en", "", "name in Latin letters, e.g. Wang Yalan")
			fs.StringVar(&code, "code", "", "staff code, e.g. DW110")
			fs.StringVar(&unit, "unit", "", "code of the unit")
			fs.StringVar(&roles, "roles", "", "comma-separated roles")
			fs.StringVar(&skills, "skills", "", "comma-separated skills")
			fs.StringVar(&password, "password", "", "first password (default: read from standard input)")
		}, func(s *sqlstore.Store, _ *config.Config, _ []string) error {
			u, err := findUnitByCode(ctx, s, unit)
			if err != nil {
				return err
			}
			pw, err := readPassword(e, password)
			if err != nil {
				return err
			}
			st := herald.Staff{Username: username, Name: name, NameEn: nameEn, StaffCode: code, UnitID: u.ID, Skills: splitList(skills)}
			for _, r := range splitList(roles) {
				st.Roles = append(st.Roles, herald.Role(r))
			}
			created, err := dir(s).CreateStaff(ctx, nil, directory.NewStaff{Staff: st, Password: pw})
			if err != nil {
				return describe(err)
			}
			fmt.Fprintf(e.stdout, "Added %s (%s), ID %d.\n", created.Username, created.Byline(), created.ID)
			return nil
		})
	case "passwd":
		var password string
		return withStore(ctx, e, "user passwd", args[1:], func(fs *flag.FlagSet) {
			fs.StringVar(&password, "password", "", "new password (default: read from standard input)")
		}, func(s *sqlstore.Store, _ *config.Config, rest []string) error {
			if len(rest) != 1 {
				return errors.New("user passwd: name one USERNAME")
			}
			st, err := findUser(ctx, s, rest[0])
			if err != nil {
				return err
			}
			pw, err := readPassword(e, password)
			if err != nil {
				return err
			}
			if err := dir(s).SetPassword(ctx, nil, st.ID, "", pw); err != nil {
				return describe(err)
			}
			fmt.Fprintf(e.stdout, "Password of %s changed.\n", st.Username)
			return nil
		})
	case "list":
		var unit, role string
		return withStore(ctx, e, "user list", args[1:], func(fs *flag.FlagSet) {
			fs.StringVar(&unit, "unit", "", "only this unit's staff (unit code)")
			fs.StringVar(&role, "role", "", "only staff with this role")
		}, func(s *sqlstore.Store, _ *config.Config, _ []string) error {
			f := herald.StaffFilter{Role: herald.Role(role)}
			if unit != "" {
				u, err := findUnitByCode(ctx, s, unit)
				if err != nil {
					return err
				}
				f.UnitID = u.ID
			}
			staff, _, err := s.FindStaff(ctx, f)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tUSERNAME\tNAME\tROLES\tACTIVE")
			for _, st := range staff {
				roles := make([]string, len(st.Roles))
				for i, r := range st.Roles {
					roles[i] = string(r)
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%v\n", st.ID, st.Username, st.Byline(), strings.Join(roles, ","), st.Active())
			}
			return tw.Flush()
		})
	case "disable", "enable":
		return withStore(ctx, e, "user "+args[0], args[1:], nil, func(s *sqlstore.Store, _ *config.Config, rest []string) error {
			if len(rest) != 1 {
				return fmt.Errorf("user %s: name one USERNAME", args[0])
			}
			st, err := findUser(ctx, s, rest[0])
			if err != nil {
				return err
			}
			disabled := args[0] == "disable"
			if _, err := dir(s).UpdateStaff(ctx, nil, st.ID, herald.StaffUpdate{Disabled: &disabled}); err != nil {
				return describe(err)
			}
			fmt.Fprintf(e.stdout, "%s is now %sd.\n", st.Username, args[0])
			return nil
		})
	}
	fmt.Fprint(e.stderr, userUsage)
	return fmt.Errorf("user: unknown subcommand %q", args[0])
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' }) {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

const unitUsage = `Usage:
  herald unit add --code CODE --name NAME --type TYPE [--parent PARENTCODE] [--name-en N]
  herald unit list
Types: department, publicity_center, city_bureau, county_bureau, notary_office, legal_aid_center, judicial_office.
`

func cmdUnit(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, unitUsage)
		return errors.New("unit: name a subcommand")
	}
	switch args[0] {
	case "add":
		var code, name, nameEn, typ, parent string
		return withStore(ctx, e, "unit add", args[1:], func(fs *flag.FlagSet) {
			fs.StringVar(&code, "code", "", "unit code, e.g. SJZ")
			fs.StringVar(&name, "name", "", "name, e.g. 石家庄市司法局")
			fs.StringVar(&nameEn, "name-en", "", "English name")
			fs.StringVar(&typ, "type", "", "unit type")
			fs.StringVar(&parent, "parent", "", "code of the parent unit (omit only for the first, root unit)")
		}, func(s *sqlstore.Store, _ *config.Config, _ []string) error {
			u := &herald.Unit{Code: code, Name: name, NameEn: nameEn, Type: herald.UnitType(typ)}
			if parent != "" {
				p, err := findUnitByCode(ctx, s, parent)
				if err != nil {
					return err
				}
				u.ParentID = p.ID
			}
			if err := directory.NewService(s, nil).CreateUnit(ctx, nil, u); err != nil {
				return describe(err)
			}
			fmt.Fprintf(e.stdout, "Added unit %s %s, ID %d.\n", u.Code, u.Name, u.ID)
			return nil
		})
	case "list":
		return withStore(ctx, e, "unit list", args[1:], nil, func(s *sqlstore.Store, _ *config.Config, _ []string) error {
			units, _, err := s.FindUnits(ctx, herald.UnitFilter{})
			if err != nil {
				return err
			}
			children := map[int64][]*herald.Unit{}
			for _, u := range units {
				children[u.ParentID] = append(children[u.ParentID], u)
			}
			var walk func(parent int64, depth int)
			walk = func(parent int64, depth int) {
				for _, u := range children[parent] {
					fmt.Fprintf(e.stdout, "%s%-12s %s (%s)\n", strings.Repeat("  ", depth), u.Code, u.Name, u.Type)
					walk(u.ID, depth+1)
				}
			}
			walk(0, 0)
			return nil
		})
	}
	fmt.Fprint(e.stderr, unitUsage)
	return fmt.Errorf("unit: unknown subcommand %q", args[0])
}
