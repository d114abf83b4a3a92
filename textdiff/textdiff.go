// Package textdiff computes line diffs, used to compare article revisions.
package textdiff

import "strings"

// Kind says whether a line is kept, removed or added.
type Kind string

// Kinds of diff lines.
const (
	Equal  Kind = "equal"
	Delete Kind = "delete"
	Insert Kind = "insert"
)

// Line is one line of a diff.
type Line struct {
	Kind Kind   `json:"kind"`
	Text string `json:"text"`
}

// Lines returns the shortest edit from a to b as kept, removed and added lines,
// by the longest common subsequence (quadratic, which suits articles of a few
// hundred paragraphs). Common leading and trailing lines are trimmed first.
func Lines(a, b []string) []Line {
	var head, tail []Line
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		head = append(head, Line{Equal, a[0]})
		a, b = a[1:], b[1:]
	}
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		tail = append([]Line{{Equal, a[len(a)-1]}}, tail...)
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	// lcs[i][j] is the LCS length of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	out := head
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			out = append(out, Line{Equal, a[i]})
			i, j = i+1, j+1
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			out = append(out, Line{Delete, a[i]})
			i++
		default:
			out = append(out, Line{Insert, b[j]})
			j++
		}
	}
	return append(out, tail...)
}

// Changed reports whether a diff holds any added or removed line.
func Changed(d []Line) bool {
	for _, l := range d {
		if l.Kind != Equal {
			return true
		}
	}
	return false
}

// blockEnds are the closing tags after which an HTML body is split into lines.
var blockEnds = strings.NewReplacer(
	"</p>", "</p>\n", "</h1>", "</h1>\n", "</h2>", "</h2>\n", "</h3>", "</h3>\n", "</h4>", "</h4>\n",
	"</li>", "</li>\n", "</tr>", "</tr>\n", "</blockquote>", "</blockquote>\n", "</figure>", "</figure>\n",
	"<br>", "<br>\n", "<br/>", "<br/>\n", "<br />", "<br />\n",
)

// HTMLBlocks splits an HTML body into one line per block element, so that a diff
// shows which paragraphs changed.
func HTMLBlocks(body string) []string {
	var out []string
	for _, l := range strings.Split(blockEnds.Replace(body), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Row is one line of a side-by-side diff: the old text on the left, the new on
// the right; a side is empty (with an empty Kind) where the other side has a
// line of its own.
type Row struct {
	Left, Right         string
	LeftKind, RightKind Kind
}

// SideBySide lays a diff out in two columns, pairing each run of removed lines
// with the run of added lines that follows it, so that a changed paragraph
// sits beside its new version.
func SideBySide(lines []Line) []Row {
	var rows []Row
	for i := 0; i < len(lines); {
		if lines[i].Kind == Equal {
			rows = append(rows, Row{Left: lines[i].Text, Right: lines[i].Text, LeftKind: Equal, RightKind: Equal})
			i++
			continue
		}
		var dels, ins []string
		for ; i < len(lines) && lines[i].Kind == Delete; i++ {
			dels = append(dels, lines[i].Text)
		}
		for ; i < len(lines) && lines[i].Kind == Insert; i++ {
			ins = append(ins, lines[i].Text)
		}
		for j := range max(len(dels), len(ins)) {
			var r Row
			if j < len(dels) {
				r.Left, r.LeftKind = dels[j], Delete
			}
			if j < len(ins) {
				r.Right, r.RightKind = ins[j], Insert
			}
			rows = append(rows, r)
		}
	}
	return rows
}
