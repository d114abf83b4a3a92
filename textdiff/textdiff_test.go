package textdiff

import (
	"reflect"
	"strings"
	"testing"
)

func render(d []Line) string {
	var b strings.Builder
	for _, l := range d {
		b.WriteString(map[Kind]string{Equal: " ", Delete: "-", Insert: "+"}[l.Kind] + l.Text + "\n")
	}
	return b.String()
}

func TestLines(t *testing.T) {
	tests := []struct {
		name string
		a, b []string
		want string
	}{
		{"same", []string{"a", "b"}, []string{"a", "b"}, " a\n b\n"},
		{"empty to some", nil, []string{"x"}, "+x\n"},
		{"some to empty", []string{"x"}, nil, "-x\n"},
		{"change middle", []string{"a", "b", "c"}, []string{"a", "B", "c"}, " a\n-b\n+B\n c\n"},
		{"insert and delete", []string{"a", "b", "c", "d"}, []string{"b", "c", "e", "d"}, "-a\n b\n c\n+e\n d\n"},
		{"chinese paragraphs", []string{"省司法厅召开会议", "会议强调"}, []string{"省司法厅召开推进会", "会议强调"}, "-省司法厅召开会议\n+省司法厅召开推进会\n 会议强调\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Lines(tt.a, tt.b)
			if got := render(d); got != tt.want {
				t.Errorf("diff:\n%s\nwant:\n%s", got, tt.want)
			}
			if Changed(d) != !reflect.DeepEqual(tt.a, tt.b) {
				t.Errorf("Changed = %v", Changed(d))
			}
		})
	}
}

func TestHTMLBlocks(t *testing.T) {
	got := HTMLBlocks("<p>一</p><p>二<br>三</p>\n<ul><li>甲</li><li>乙</li></ul>")
	want := []string{"<p>一</p>", "<p>二<br>", "三</p>", "<ul><li>甲</li>", "<li>乙</li>", "</ul>"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestSideBySide(t *testing.T) {
	lines := []Line{{Equal, "a"}, {Delete, "b"}, {Delete, "c"}, {Insert, "B"}, {Equal, "d"}, {Insert, "e"}, {Delete, "f"}}
	want := []Row{
		{"a", "a", Equal, Equal},
		{"b", "B", Delete, Insert},
		{"c", "", Delete, ""},
		{"d", "d", Equal, Equal},
		{"", "e", "", Insert},
		{"f", "", Delete, ""},
	}
	got := SideBySide(lines)
	if len(got) != len(want) {
		t.Fatalf("rows %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
