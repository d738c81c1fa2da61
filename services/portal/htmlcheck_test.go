package portal_test

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// htmlDoc is what the tests read from a rendered page, and the structural problems
// found in it.
type htmlDoc struct {
	Lang     string              // lang of <html>
	Title    string              // text of <title>
	H1       []string            // text of every <h1>
	Anchors  []anchor            // every <a>
	Styles   []string            // href of every <link rel="stylesheet">
	Images   []string            // src of every <img>
	Alerts   []string            // text of every element with role="alert"
	MainText []string            // text nodes inside <main>, whitespace collapsed
	Scripts  int                 // number of <script> elements
	Inputs   []map[string]string // attributes of every <input>, <select> and <textarea>
	Status   []string            // text of every element with role="status"
	Problems []string            // broken structural rules; empty for a good page
	open     []*element          // elements open at the current token
}

// anchor is an <a>: its href (ok false when it has none) and its accessible text,
// which counts the alt of images inside it, as a screen reader does.
type anchor struct {
	Href, HrefLang, Text string
	HasHref              bool
}

type element struct {
	name  string
	attrs map[string]string
	text  strings.Builder
}

// parseHTML walks an HTML page with encoding/xml in non-strict mode (the standard
// library has no HTML parser) and checks the rules every portal page must keep:
// <html lang>, a <main> landmark, exactly one <h1>, an alt on every <img>, an href
// and text on every <a>, unique ids, and no <script> (the portal works without
// JavaScript). A page the decoder cannot get through is a problem too.
func parseHTML(body string) *htmlDoc {
	doc := &htmlDoc{}
	d := xml.NewDecoder(strings.NewReader(body))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity

	ids := map[string]int{}
	labelFor := map[string]bool{}
	var describedBy []string
	var sawHTML, sawMain bool
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			doc.problem("not well-formed: %v", err)
			break
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := &element{name: strings.ToLower(tok.Name.Local), attrs: map[string]string{}}
			for _, a := range tok.Attr {
				e.attrs[strings.ToLower(a.Name.Local)] = a.Value
			}
			if id, ok := e.attrs["id"]; ok {
				ids[id]++
				if ids[id] == 2 {
					doc.problem("id %q is used more than once", id)
				}
			}
			switch e.name {
			case "html":
				sawHTML = true
				doc.Lang = e.attrs["lang"]
				if strings.TrimSpace(doc.Lang) == "" {
					doc.problem("<html> has no lang")
				}
			case "main":
				sawMain = true
			case "script":
				doc.Scripts++
				doc.problem("<script> found; the portal works without JavaScript")
			case "img":
				doc.Images = append(doc.Images, e.attrs["src"])
				alt := collapse(e.attrs["alt"])
				if alt == "" {
					doc.problem("<img src=%q> has no alt text", e.attrs["src"])
				}
				doc.addText(alt)
			case "link":
				if strings.EqualFold(e.attrs["rel"], "stylesheet") {
					doc.Styles = append(doc.Styles, e.attrs["href"])
				}
			case "label":
				labelFor[e.attrs["for"]] = true
			case "input", "select", "textarea":
				doc.Inputs = append(doc.Inputs, e.attrs)
			case "legend":
				for i := len(doc.open) - 1; i >= 0; i-- {
					if doc.open[i].name == "fieldset" {
						doc.open[i].attrs["-legend"] = "yes"
						break
					}
				}
			case "th":
				if s := e.attrs["scope"]; s != "col" && s != "row" {
					doc.problem("<th> without scope=\"col\" or \"row\"")
				}
			}
			if d, ok := e.attrs["aria-describedby"]; ok {
				describedBy = append(describedBy, strings.Fields(d)...)
			}
			doc.open = append(doc.open, e)
		case xml.EndElement:
			if len(doc.open) == 0 {
				doc.problem("end tag </%s> without a start tag", tok.Name.Local)
				continue
			}
			e := doc.open[len(doc.open)-1]
			doc.open = doc.open[:len(doc.open)-1]
			doc.closeElement(e)
		case xml.CharData:
			s := string(tok)
			if doc.inside("main") && !doc.inside("script") && !doc.inside("style") {
				if c := collapse(s); c != "" {
					doc.MainText = append(doc.MainText, c)
				}
			}
			doc.addText(s)
		}
	}
	for _, in := range doc.Inputs {
		switch in["type"] {
		case "hidden", "submit", "button":
			continue
		}
		if in["id"] == "" || !labelFor[in["id"]] {
			doc.problem("input %q has no <label for>", in["name"])
		}
	}
	for _, id := range describedBy {
		if ids[id] == 0 {
			doc.problem("aria-describedby names %q, which is no id on the page", id)
		}
	}
	if !sawHTML {
		doc.problem("no <html> element")
	}
	if !sawMain {
		doc.problem("no <main> landmark")
	}
	if len(doc.H1) != 1 {
		doc.problem("%d <h1> elements, want exactly 1: %q", len(doc.H1), doc.H1)
	}
	return doc
}

func (doc *htmlDoc) closeElement(e *element) {
	text := collapse(e.text.String())
	switch e.name {
	case "title":
		doc.Title = text
	case "h1":
		doc.H1 = append(doc.H1, text)
	case "a":
		href, ok := e.attrs["href"]
		doc.Anchors = append(doc.Anchors, anchor{Href: href, HrefLang: e.attrs["hreflang"], Text: text, HasHref: ok})
		if !ok || strings.TrimSpace(href) == "" {
			doc.problem("<a> %q has no href", text)
		}
		if text == "" {
			doc.problem("<a href=%q> has no text", href)
		}
	}
	if e.attrs["role"] == "alert" {
		doc.Alerts = append(doc.Alerts, text)
	}
	if e.attrs["role"] == "status" {
		doc.Status = append(doc.Status, text)
	}
	if e.name == "fieldset" && e.attrs["-legend"] == "" {
		doc.problem("<fieldset> without <legend>")
	}
}

// addText adds s to the text of every open element.
func (doc *htmlDoc) addText(s string) {
	for _, e := range doc.open {
		e.text.WriteString(s)
		e.text.WriteByte(' ')
	}
}

func (doc *htmlDoc) inside(name string) bool {
	return slices.ContainsFunc(doc.open, func(e *element) bool { return e.name == name })
}

func (doc *htmlDoc) problem(format string, args ...any) {
	doc.Problems = append(doc.Problems, fmt.Sprintf(format, args...))
}

// hrefs returns the href of every anchor.
func (doc *htmlDoc) hrefs() []string {
	out := make([]string, 0, len(doc.Anchors))
	for _, a := range doc.Anchors {
		out = append(out, a.Href)
	}
	return out
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// checkStructure fails t with every structural problem of the page.
func checkStructure(t *testing.T, name, body string) *htmlDoc {
	t.Helper()
	doc := parseHTML(body)
	for _, p := range doc.Problems {
		t.Errorf("%s: %s", name, p)
	}
	return doc
}

// TestParseHTMLFindsProblems shows the structural check can fail: each broken page
// must be reported with the problem it has, and the good page with none.
func TestParseHTMLFindsProblems(t *testing.T) {
	t.Parallel()
	const good = `<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>T</title></head>` +
		`<body><a href="#inhoud">Naar de inhoud</a><main id="inhoud"><h1>Kop</h1>` +
		`<a href="/"><img src="/logo.svg" alt="Logo van X"></a><br><p>Tekst &amp; meer&nbsp;tekst.</p></main></body></html>`
	tests := []struct {
		name string
		body string
		want []string // substrings of the problems, in order; nil for none
	}{
		{"good page", good, nil},
		{"no lang", strings.Replace(good, ` lang="nl"`, "", 1), []string{"<html> has no lang"}},
		{"empty lang", strings.Replace(good, `lang="nl"`, `lang=""`, 1), []string{"<html> has no lang"}},
		{"no main", strings.NewReplacer(`<main id="inhoud">`, `<div>`, `</main>`, `</div>`).Replace(good), []string{"no <main> landmark"}},
		{"no h1", strings.NewReplacer(`<h1>Kop</h1>`, ``).Replace(good), []string{"0 <h1> elements"}},
		{"two h1", strings.Replace(good, `<h1>Kop</h1>`, `<h1>Kop</h1><h1>Nog een</h1>`, 1), []string{"2 <h1> elements"}},
		{"img without alt", strings.Replace(good, ` alt="Logo van X"`, "", 1), []string{"has no alt text", "has no text"}},
		{"img with blank alt", strings.Replace(good, `alt="Logo van X"`, `alt="  "`, 1), []string{"has no alt text", "has no text"}},
		{"a without href", strings.Replace(good, `<a href="#inhoud">`, `<a>`, 1), []string{"has no href"}},
		{"a with empty text", strings.Replace(good, `Naar de inhoud</a>`, ` </a>`, 1), []string{`<a href="#inhoud"> has no text`}},
		{"duplicate id", strings.Replace(good, `<h1>Kop</h1>`, `<h1 id="inhoud">Kop</h1>`, 1), []string{`id "inhoud" is used more than once`}},
		{"script", strings.Replace(good, `</main>`, `<script>alert(1)</script></main>`, 1), []string{"<script> found"}},
		{"unclosed", strings.TrimSuffix(good, `</body></html>`), []string{"not well-formed"}},
		{"input without label", strings.Replace(good, `</main>`, `<input type="text" id="x" name="x"></main>`, 1), []string{`input "x" has no <label for>`}},
		{"input with label", strings.Replace(good, `</main>`, `<label for="x">X</label><input type="text" id="x" name="x"></main>`, 1), nil},
		{"hidden input", strings.Replace(good, `</main>`, `<input type="hidden" name="csrf_token" value="t"></main>`, 1), nil},
		{"th without scope", strings.Replace(good, `</main>`, `<table><tr><th>A</th></tr></table></main>`, 1), []string{"<th> without scope"}},
		{"fieldset without legend", strings.Replace(good, `</main>`, `<fieldset><p>x</p></fieldset></main>`, 1), []string{"<fieldset> without <legend>"}},
		{"dangling describedby", strings.Replace(good, `</main>`, `<label for="x">X</label><input type="text" id="x" name="x" aria-describedby="x-hint"></main>`, 1), []string{`aria-describedby names "x-hint"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := parseHTML(tt.body).Problems
			if len(got) != len(tt.want) {
				t.Fatalf("problems = %q, want %d matching %q", got, len(tt.want), tt.want)
			}
			for i := range got {
				if !strings.Contains(got[i], tt.want[i]) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestParseHTMLReads checks what the tests read from a page.
func TestParseHTMLReads(t *testing.T) {
	t.Parallel()
	doc := parseHTML(`<!DOCTYPE html><html lang="en"><head><title>Home — X</title>` +
		`<link rel="stylesheet" href="/a.css"></head><body><div role="alert">Let op.</div>` +
		`<main><h1>Welcome  to <em>X</em></h1><a href="/" hreflang="nl"><img src="/l.svg" alt="Logo"></a></main></body></html>`)
	tests := []struct {
		name      string
		got, want any
	}{
		{"lang", doc.Lang, "en"},
		{"title", doc.Title, "Home — X"},
		{"h1", doc.H1, []string{"Welcome to X"}},
		{"anchors", doc.Anchors, []anchor{{Href: "/", HrefLang: "nl", Text: "Logo", HasHref: true}}},
		{"styles", doc.Styles, []string{"/a.css"}},
		{"images", doc.Images, []string{"/l.svg"}},
		{"alerts", doc.Alerts, []string{"Let op."}},
		{"main text", doc.MainText, []string{"Welcome to", "X"}},
		{"problems", len(doc.Problems), 0},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s = %+v, want %+v", tt.name, tt.got, tt.want)
		}
	}
}
