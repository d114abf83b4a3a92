package main

import (
	"math/rand/v2"
	"strings"
	"unicode/utf8"
)

// chain is an order-2 Markov chain over tokens: single characters for Chinese,
// words for English. It is trained on sentences, so what it generates is a
// sequence of sentences each of which follows the corpus's pairs of tokens and
// jumps between source sentences wherever two of them share a pair.
type chain struct {
	toks   []string         // token number → text
	tokNum map[string]int32 // text → token number
	states [][]edge         // a state's outgoing edges, repeated by frequency
	state  map[[2]int32]int32
	start  []edge            // first tokens of every sentence
	by     map[string][]edge // first tokens of the sentences of each column
	join   string            // between tokens: "" for characters, " " for words
}

// edge leads from a state by a token to the next state; tok < 0 ends a sentence.
type edge struct {
	tok, to int32
}

const bos = -1 // the token before a sentence's first

func newChain(join string) *chain {
	return &chain{tokNum: map[string]int32{}, state: map[[2]int32]int32{}, by: map[string][]edge{}, join: join}
}

func (c *chain) stateOf(a, b int32) int32 {
	k := [2]int32{a, b}
	if s, ok := c.state[k]; ok {
		return s
	}
	s := int32(len(c.states))
	c.state[k] = s
	c.states = append(c.states, nil)
	return s
}

func (c *chain) tokenOf(t string) int32 {
	if n, ok := c.tokNum[t]; ok {
		return n
	}
	n := int32(len(c.toks))
	c.toks = append(c.toks, t)
	c.tokNum[t] = n
	return n
}

// add trains the chain on one sentence, written in column col.
func (c *chain) add(sentence []string, col string) {
	if len(sentence) == 0 {
		return
	}
	cur := int32(bos)
	s := c.stateOf(bos, bos)
	for i, t := range sentence {
		n := c.tokenOf(t)
		next := c.stateOf(cur, n)
		e := edge{n, next}
		if i == 0 {
			c.start = append(c.start, e)
			c.by[col] = append(c.by[col], e)
		}
		c.states[s] = append(c.states[s], e)
		cur, s = n, next
	}
	c.states[s] = append(c.states[s], edge{-1, -1})
}

// sentence writes one generated sentence of at most maxToks tokens to b,
// starting the way a sentence of column col starts with probability bias.
func (c *chain) sentence(rng *rand.Rand, b *strings.Builder, col string, bias float64, maxToks int) int {
	starts := c.start
	if by := c.by[col]; len(by) > 0 && rng.Float64() < bias {
		starts = by
	}
	e := starts[rng.IntN(len(starts))]
	n := 0
	for e.tok >= 0 && n < maxToks {
		if n > 0 {
			b.WriteString(c.join)
		}
		b.WriteString(c.toks[e.tok])
		n++
		next := c.states[e.to]
		e = next[rng.IntN(len(next))]
	}
	return n
}

// sentencesZh cuts Chinese text into sentences of characters, each ending
// after 。！？ (and a closing quote or bracket right after it).
func sentencesZh(text string) [][]string {
	var out [][]string
	var cur []string
	runes := []rune(text)
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		if r == '\n' || r == '\r' || r == '\t' {
			continue
		}
		cur = append(cur, string(r))
		if strings.ContainsRune("。！？", r) {
			for i+1 < len(runes) && strings.ContainsRune("”’）」", runes[i+1]) {
				i++
				cur = append(cur, string(runes[i]))
			}
			out = append(out, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// clausesZh cuts Chinese text into clauses at any punctuation, for headlines.
func clausesZh(text string) [][]string {
	var out [][]string
	var cur []string
	for _, r := range text {
		if strings.ContainsRune("，。；：！？、（）《》“”\n", r) {
			if len(cur) >= 4 {
				out = append(out, cur)
			}
			cur = nil
			continue
		}
		cur = append(cur, string(r))
	}
	if len(cur) >= 4 {
		out = append(out, cur)
	}
	return out
}

// sentencesEn cuts English text into sentences of words.
func sentencesEn(text string) [][]string {
	var out [][]string
	var cur []string
	for _, w := range strings.Fields(text) {
		cur = append(cur, w)
		if strings.HasSuffix(w, ".") || strings.HasSuffix(w, "?") || strings.HasSuffix(w, "!") || strings.HasSuffix(w, `."`) {
			out = append(out, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }

// cutRunes returns s cut to at most n runes.
func cutRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
