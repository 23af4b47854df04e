package fsm_test

import "fmt"

func ExampleMachine_Mermaid() {
	fmt.Print(door.Mermaid())
	// Output:
	// stateDiagram-v2
	//     classDef final stroke-width:3px
	//     [*] --> CLOSED
	//     CLOSED --> BROKEN: BROKEN
	//     CLOSED --> CLOSED: KNOCK
	//     CLOSED --> LOCKED: LOCKED
	//     CLOSED --> OPEN: OPEN
	//     LOCKED --> BROKEN: BROKEN
	//     LOCKED --> CLOSED: CLOSED
	//     LOCKED --> LOCKED: KNOCK
	//     OPEN --> CLOSED: CLOSED
	//     BROKEN --> [*]
	//     class BROKEN,CLOSED,LOCKED final
}

// MermaidCounts labels each edge with how often a log took it; counts[i]
// belongs to Transitions()[i].
func ExampleMachine_MermaidCounts() {
	counts := make([]int, len(door.Transitions()))
	for i, tr := range door.Transitions() {
		if tr.Status == Open || tr.Status == Closed {
			counts[i] = 3
		}
	}
	fmt.Print(door.MermaidCounts(counts))
	// Output:
	// stateDiagram-v2
	//     classDef final stroke-width:3px
	//     [*] --> CLOSED
	//     CLOSED --> BROKEN: BROKEN ×0
	//     CLOSED --> CLOSED: KNOCK ×0
	//     CLOSED --> LOCKED: LOCKED ×0
	//     CLOSED --> OPEN: OPEN ×3
	//     LOCKED --> BROKEN: BROKEN ×0
	//     LOCKED --> CLOSED: CLOSED ×3
	//     LOCKED --> LOCKED: KNOCK ×0
	//     OPEN --> CLOSED: CLOSED ×3
	//     BROKEN --> [*]
	//     class BROKEN,CLOSED,LOCKED final
}

func ExampleMachine_DOT() {
	fmt.Print(door.DOT())
	// Output:
	// digraph "Door" {
	//     rankdir=LR;
	//     node [shape=ellipse];
	//     "" [shape=point];
	//     "" -> "CLOSED";
	//     "BROKEN" [shape=doublecircle, style=bold];
	//     "CLOSED" [style=bold];
	//     "LOCKED" [style=bold];
	//     "CLOSED" -> "BROKEN" [label="BROKEN"];
	//     "CLOSED" -> "CLOSED" [label="KNOCK"];
	//     "CLOSED" -> "LOCKED" [label="LOCKED"];
	//     "CLOSED" -> "OPEN" [label="OPEN"];
	//     "LOCKED" -> "BROKEN" [label="BROKEN"];
	//     "LOCKED" -> "CLOSED" [label="CLOSED"];
	//     "LOCKED" -> "LOCKED" [label="KNOCK"];
	//     "OPEN" -> "CLOSED" [label="CLOSED"];
	// }
}
