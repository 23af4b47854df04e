package eventlog

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// TestBlocksFromPipes: the parallel reader fills its blocks from an input
// that has plenty at hand even when each read gives less than asked (a
// pipe gives 64 KiB a read), and sends what it has at once when a read
// gives a few lines (a log being written).
func TestBlocksFromPipes(t *testing.T) {
	line := `{"event":"ConnectionStatusEvent","sessionId":"s1","status":"ESTABLISHED"}` + "\n"
	data := []byte(strings.Repeat(line, (4<<20)/len(line)))
	tests := []struct {
		why       string
		chunk     int // the writer's writes, each one read
		maxBlocks int
		minBlocks int
	}{
		{"a fast pipe, 64 KiB a read: blocks of 256 KiB", 64 << 10, len(data)/blockBytes + 2, 1},
		{"gzip's 32 KiB a read: blocks of 256 KiB", 32 << 10, len(data)/blockBytes + 2, 1},
		{"a log written a few lines at a time: a block for each write", 10 * len(line), len(data), len(data) / (10 * len(line))},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			pr, pw := io.Pipe()
			go func() {
				for off := 0; off < len(data); off += tt.chunk {
					pw.Write(data[off:min(off+tt.chunk, len(data))])
				}
				pw.Close()
			}()
			v := &Validator{MaxLine: DefaultMaxLine}
			var b *block
			blocks, lines := 0, 0
			var got bytes.Buffer
			err := v.blocks(pr, false, func(int) *block {
				b = &block{}
				return b
			}, func(n int) {
				blocks++
				lines += n
				got.Write(b.buf)
			})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), data) || lines != bytes.Count(data, []byte{'\n'}) {
				t.Fatalf("the blocks hold %d bytes in %d lines, want the %d bytes of the input", got.Len(), lines, len(data))
			}
			if blocks > tt.maxBlocks || blocks < tt.minBlocks {
				t.Errorf("%d blocks for %d bytes, want %d to %d", blocks, len(data), tt.minBlocks, tt.maxBlocks)
			}
		})
	}
}
