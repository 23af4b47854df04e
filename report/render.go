package report

import (
	"bufio"
	_ "embed"
	"html/template"
	"io"
)

var (
	//go:embed assets/page.html.tmpl
	pageTemplate string
	//go:embed assets/report.css
	pageCSS string
	//go:embed assets/report.js
	pageJS string
)

var page = template.Must(template.New("page").Funcs(template.FuncMap{
	"add": func(a, b int) int { return a + b },
}).Parse(pageTemplate))

// WriteHTML writes p as one self-contained HTML page: its style and its
// script inline, its pictures SVG, nothing loaded from elsewhere.
func (p *Page) WriteHTML(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	data := struct {
		*Page
		CSS template.CSS
		JS  template.JS
	}{p, template.CSS(pageCSS), template.JS(pageJS)}
	if err := page.Execute(bw, data); err != nil {
		return &Error{Op: "write the page", Err: err}
	}
	if err := bw.Flush(); err != nil {
		return &Error{Op: "write the page", Err: err}
	}
	return nil
}

// Error is the error of this package: what it could not do, and why.
type Error struct {
	Op  string
	Err error
}

func (e *Error) Error() string { return "report: " + e.Op + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }
