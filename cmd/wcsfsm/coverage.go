package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/wcsfsm/wcsfsm/eventlog"
	"github.com/wcsfsm/wcsfsm/tracker"
	"github.com/wcsfsm/wcsfsm/wcs"
)

func init() {
	commands["coverage"] = command{"report which transitions of each machine a log took, and how often", runCoverage}
}

var coverageFormats = []string{"text", "json", "mermaid", "dot"}

// coverageFamily is one element of "wcsfsm coverage -format json".
type coverageFamily struct {
	Event       string         `json:"event"`
	Events      int64          `json:"events"`      // events of the family in the log
	Taken       int            `json:"taken"`       // transitions taken at least once
	Transitions int            `json:"transitions"` // transitions of the machine
	Edges       []coverageEdge `json:"edges"`
	Hooks       []coverageHook `json:"hooks"` // the invocations and commands of the family, by name
}

// coverageHook counts one hook of a family in "wcsfsm coverage".
type coverageHook struct {
	Hook  string `json:"hook"`
	Kind  string `json:"kind"`
	Count int64  `json:"count"`
}

type coverageEdge struct {
	From   string `json:"from"`
	Status string `json:"status"`
	To     string `json:"to"`
	Count  int64  `json:"count"`
}

// runCoverage is "wcsfsm coverage": it reads logs as validate does and
// reports, per family, how often each transition of the family's machine
// was taken (a status the machine refused takes none). The findings are
// left to validate.
func runCoverage(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("wcsfsm coverage", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "output `format`: "+strings.Join(coverageFormats, ", "))
	events := fs.String("event", "", "report only these families: comma-separated event `names` (default all)")
	input := fs.String("input", "auto", "input `format`: auto, jsonl or wcslog (as validate)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: wcsfsm coverage [-format text|json|mermaid|dot] [-event EVENT,...] [-input auto|jsonl|wcslog] [FILE ...]")
		fmt.Fprintln(stderr, "\nReads the files (standard input for none or -) as one log, as validate does, and reports")
		fmt.Fprintln(stderr, "per family which transitions of its machine the log took, how often, and which it never")
		fmt.Fprintln(stderr, "took: a table (text), JSON, or a Mermaid or DOT diagram with each edge labelled with its")
		fmt.Fprintln(stderr, "count (DOT also draws edges by weight and greys those never taken). A status that its")
		fmt.Fprintln(stderr, "machine refuses takes no transition. Findings are validate's job: exit status 0, or 2")
		fmt.Fprintln(stderr, "when the command could not do its job.")
		fs.PrintDefaults()
	}
	rest, err := parseArgs(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	in, ok := parseInput(*input)
	if !ok {
		fmt.Fprintf(stderr, "wcsfsm coverage: -input must be auto, jsonl or wcslog, not %q\n", *input)
		return 2
	}
	if !slices.Contains(coverageFormats, *format) {
		fmt.Fprintf(stderr, "wcsfsm coverage: unknown format %q (want %s)\n", *format, strings.Join(coverageFormats, ", "))
		return 2
	}
	var names []string
	if *events != "" {
		names = strings.Split(*events, ",")
	}
	families, err := specFamilies(names)
	if err != nil {
		fmt.Fprintf(stderr, "wcsfsm coverage: %v\n", err)
		return 2
	}
	names, files, err := openInputs(rest, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "wcsfsm coverage: %v\n", err)
		return 2
	}
	defer closeAll(files)
	tr := tracker.New(tracker.Options{})
	v := &eventlog.Validator{Tracker: tr}
	_, noHooks, err := readLog(v, in, names, files, stderr, "wcsfsm coverage")
	if err != nil {
		fmt.Fprintf(stderr, "wcsfsm coverage: %v\n", err)
		return 2
	}
	if noHooks > 0 {
		return 2 // a file without a hook, said: no coverage of a log not read
	}
	cov, st := tr.Coverage(), tr.Stats()

	var out strings.Builder
	taken, all := 0, 0
	report := make([]coverageFamily, 0, len(families))
	for _, f := range families {
		m := f.Machine()
		cf := coverageFamily{Event: f.String(), Events: st.Families[f], Taken: cov.Taken(f), Transitions: len(cov[f]), Edges: []coverageEdge{},
			Hooks: []coverageHook{}}
		for i, e := range m.Transitions() {
			cf.Edges = append(cf.Edges, coverageEdge{m.String(e.From), m.String(e.Status), m.String(e.To), cov[f][i]})
		}
		for _, h := range wcs.Methods() {
			if h.HasFamily && h.Family == f && h.Kind != wcs.MethodKindStatus {
				cf.Hooks = append(cf.Hooks, coverageHook{h.Name, h.Kind.String(), st.Methods[h.Index()]})
			}
		}
		taken, all = taken+cf.Taken, all+cf.Transitions
		report = append(report, cf)
	}
	switch *format {
	case "text":
		for i, cf := range report {
			if i > 0 {
				out.WriteString("\n")
			}
			fmt.Fprintf(&out, "%s: %d of %d transitions taken; %s\n", cf.Event, cf.Taken, cf.Transitions, plural(cf.Events, "event"))
			tw := tabwriter.NewWriter(&out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "  FROM\tSTATUS\tTO\tTAKEN")
			for _, e := range cf.Edges {
				count := "never"
				if e.Count > 0 {
					count = fmt.Sprint(e.Count)
				}
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", e.From, e.Status, e.To, count)
			}
			tw.Flush()
			if len(cf.Hooks) > 0 {
				var parts []string
				for _, h := range cf.Hooks {
					parts = append(parts, fmt.Sprintf("%s %d", h.Hook, h.Count))
				}
				fmt.Fprintf(&out, "  hooks: %s\n", strings.Join(parts, ", "))
			}
		}
		var other []string
		for _, h := range wcs.Methods() {
			if n := st.Methods[h.Index()]; h.Kind == wcs.MethodKindOther && n > 0 {
				other = append(other, fmt.Sprintf("%s %d", h.Name, n))
			}
		}
		if len(other) > 0 && len(families) == int(wcs.NumFamilies) {
			fmt.Fprintf(&out, "\nOther hooks (counted, not checked): %s\n", strings.Join(other, ", "))
		}
	case "json":
		enc := json.NewEncoder(&out)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(report); err != nil {
			fmt.Fprintf(stderr, "wcsfsm coverage: %v\n", err)
			return 2
		}
	case "mermaid", "dot":
		comment := "%%"
		if *format == "dot" {
			comment = "//"
		}
		for i, f := range families {
			if i > 0 {
				out.WriteString("\n")
			}
			cf := report[i]
			fmt.Fprintf(&out, "%s %s: %d of %d transitions taken\n", comment, cf.Event, cf.Taken, cf.Transitions)
			if *format == "dot" {
				out.WriteString(f.Machine().DOTCounts(cov.Ints(f)))
			} else {
				out.WriteString(f.Machine().MermaidCounts(cov.Ints(f)))
			}
		}
	}
	if _, err := io.WriteString(stdout, out.String()); err != nil {
		fmt.Fprintf(stderr, "wcsfsm coverage: %v\n", err)
		return 2
	}
	fmt.Fprintf(stderr, "wcsfsm: %s, %s, %s: %d of %d transitions taken\n",
		plural(int64(len(files)), "file"), plural(v.Lines.Load(), "line"), hookCounts(st), taken, all)
	return 0
}
