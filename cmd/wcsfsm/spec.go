package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/wcsfsm/wcsfsm/fsm"
	"github.com/wcsfsm/wcsfsm/wcs"
)

func init() {
	commands["spec"] = command{
		summary: "print the declared machines as JSON, Mermaid or DOT, or the hook catalogue",
		run:     runSpec,
	}
}

// specMachine is one element of "wcsfsm spec -format json" (log-format.md,
// "wcsfsm spec"): lists of names are sorted, transitions by from, then
// status, hooks by hook. Statuses are those the family's own status event
// may carry (wcs.StatusEventCarries), not those only an invocation
// delivers; hooks are the invocations that deliver a status to the
// machine. No list is ever null.
type specMachine struct {
	Event       string           `json:"event"`
	Package     string           `json:"package"`
	Initial     string           `json:"initial"`
	States      []string         `json:"states"`
	Statuses    []string         `json:"statuses"`
	Terminal    []string         `json:"terminal"`
	Final       []string         `json:"final"`
	Transitions []specTransition `json:"transitions"`
	Hooks       []specDelivery   `json:"hooks"`
}

// specDelivery is an invocation that delivers Status to a machine.
type specDelivery struct {
	Hook   string `json:"hook"`
	Status string `json:"status"`
}

type specTransition struct {
	From   string `json:"from"`
	Status string `json:"status"`
	To     string `json:"to"`
	Why    string `json:"why"`
	Source string `json:"source"`
}

// specHook is one element of "wcsfsm spec -hooks" (log-format.md,
// "wcsfsm spec"): a REST method of the catalogue, hooks.md's section as
// its kind. Event and Key are empty for another hook, Status for all but
// an invocation.
type specHook struct {
	Hook   string `json:"hook"`
	Kind   string `json:"kind"`
	Event  string `json:"event"`
	Key    string `json:"key"`
	Status string `json:"status"`
}

var specFormats = []string{"json", "mermaid", "dot"}

func runSpec(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("spec", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "json", "output format: "+strings.Join(specFormats, ", ")+" (-hooks: json only)")
	hooks := fs.Bool("hooks", false, "print the catalogue of the REST hooks WCS posts instead of the machines")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: wcsfsm spec [-format json|mermaid|dot] [EVENT ...]")
		fmt.Fprintln(stderr, "       wcsfsm spec -hooks [-format json]")
		fmt.Fprintln(stderr, "\nPrints the declared machines: all, or those of the events named.")
		fmt.Fprintln(stderr, "With -hooks, prints the hook catalogue instead: one JSON array, one element")
		fmt.Fprintln(stderr, "per hook, sorted by name, with hook, kind, event, key and status.")
		fmt.Fprintln(stderr, "\nflags:")
		fs.PrintDefaults()
		fmt.Fprintln(stderr, "\nevents:")
		for _, f := range wcs.Families() {
			fmt.Fprintf(stderr, "  %s\n", f)
		}
	}
	rest, err := parseArgs(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if !slices.Contains(specFormats, *format) {
		fmt.Fprintf(stderr, "wcsfsm spec: unknown format %q (want %s)\n", *format, strings.Join(specFormats, ", "))
		return 2
	}
	if *hooks {
		if *format != "json" {
			fmt.Fprintf(stderr, "wcsfsm spec: -hooks prints JSON only, not -format %s\n", *format)
			return 2
		}
		if len(rest) > 0 {
			fmt.Fprintf(stderr, "wcsfsm spec: -hooks takes no EVENT arguments (got %s)\n", strings.Join(rest, " "))
			return 2
		}
	}
	families, err := specFamilies(rest)
	if err != nil {
		fmt.Fprintf(stderr, "wcsfsm spec: %v\n", err)
		return 2
	}

	var out strings.Builder
	switch {
	case *hooks:
		if err := specJSON(&out, specHooks()); err != nil {
			fmt.Fprintf(stderr, "wcsfsm spec: %v\n", err)
			return 2
		}
	case *format == "json":
		list := make([]specMachine, 0, len(families))
		for _, f := range families {
			list = append(list, specOf(f))
		}
		if err := specJSON(&out, list); err != nil {
			fmt.Fprintf(stderr, "wcsfsm spec: %v\n", err)
			return 2
		}
	case *format == "mermaid":
		for i, f := range families {
			if i > 0 {
				out.WriteString("\n")
			}
			m := f.Machine()
			fmt.Fprintf(&out, "%%%% %s (package %s)\n", m.Name(), m.Package())
			out.WriteString(m.Mermaid())
		}
	case *format == "dot":
		for i, f := range families {
			if i > 0 {
				out.WriteString("\n")
			}
			m := f.Machine()
			fmt.Fprintf(&out, "// %s (package %s)\n", m.Name(), m.Package())
			out.WriteString(m.DOT())
		}
	}
	if _, err := io.WriteString(stdout, out.String()); err != nil {
		fmt.Fprintf(stderr, "wcsfsm spec: %v\n", err)
		return 2
	}
	return 0
}

// specJSON writes v as indented JSON, without HTML escapes.
func specJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// specHooks returns the catalogue (wcs.Methods) as "spec -hooks" prints
// it, sorted by name in byte order.
func specHooks() []specHook {
	out := make([]specHook, 0, wcs.NumMethods)
	for _, m := range wcs.Methods() {
		h := specHook{Hook: m.Name, Kind: m.Kind.String()}
		if m.HasFamily {
			h.Event, h.Key = m.Family.String(), m.Key().String()
		}
		if m.Kind == wcs.MethodKindInvocation {
			h.Status = m.Family.Machine().String(m.Status)
		}
		out = append(out, h)
	}
	slices.SortFunc(out, func(a, b specHook) int { return strings.Compare(a.Hook, b.Hook) })
	return out
}

// specFamilies returns the families named, in the order given and each
// once, or every family when none is named.
func specFamilies(names []string) ([]wcs.Family, error) {
	if len(names) == 0 {
		return wcs.Families(), nil
	}
	var out []wcs.Family
	for _, name := range names {
		f, ok := wcs.ParseFamily(name)
		if !ok {
			known := make([]string, 0, wcs.NumFamilies)
			for _, f := range wcs.Families() {
				known = append(known, f.String())
			}
			return nil, fmt.Errorf("unknown event %q (known: %s)", name, strings.Join(known, ", "))
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out, nil
}

// specOf returns the element of "spec -format json" for family f.
func specOf(f wcs.Family) specMachine {
	m := f.Machine()
	s := specMachine{
		Event:       m.Name(),
		Package:     m.Package(),
		Initial:     m.String(m.Initial()),
		States:      m.Names(m.States()),
		Statuses:    m.Names(slices.DeleteFunc(m.Statuses(), func(st fsm.Symbol) bool { return !wcs.StatusEventCarries(f, st) })),
		Terminal:    m.Names(m.TerminalStates()),
		Final:       m.Names(m.FinalStates()),
		Transitions: []specTransition{},
		Hooks:       []specDelivery{},
	}
	for _, tr := range m.Transitions() {
		s.Transitions = append(s.Transitions, specTransition{
			From:   m.String(tr.From),
			Status: m.String(tr.Status),
			To:     m.String(tr.To),
			Why:    tr.Why,
			Source: tr.Source,
		})
	}
	for _, h := range wcs.Methods() {
		if h.Kind == wcs.MethodKindInvocation && h.Family == f {
			s.Hooks = append(s.Hooks, specDelivery{Hook: h.Name, Status: m.String(h.Status)})
		}
	}
	slices.SortFunc(s.Hooks, func(a, b specDelivery) int { return strings.Compare(a.Hook, b.Hook) })
	return s
}
