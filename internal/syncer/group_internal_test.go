package syncer

import (
	"reflect"
	"testing"
)

// takeGroup cuts the queue into groups: oldest first, at most
// groupMaxPushes pushes and groupMaxMutations mutations per group, and
// always at least one push, however large, so that the queue moves.
func TestTakeGroup(t *testing.T) {
	repeat := func(n, size int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = size
		}
		return out
	}
	span := func(from, to int) []int { // from..to-1
		out := []int{}
		for i := from; i < to; i++ {
			out = append(out, i)
		}
		return out
	}
	half := groupMaxMutations / 2
	cases := []struct {
		name  string
		sizes []int   // mutations of each queued push, oldest first
		want  [][]int // indexes of the pushes of each group taken, in order
	}{
		{"empty queue", nil, nil},
		{"one push", []int{7}, [][]int{{0}}},
		{"all fit in one group", repeat(12, 30), [][]int{span(0, 12)}},
		{"pushes without mutations", []int{0, 0, 3}, [][]int{{0, 1, 2}}},
		{"exactly the push limit", repeat(groupMaxPushes, 1), [][]int{span(0, groupMaxPushes)}},
		{"one over the push limit", repeat(groupMaxPushes+1, 1),
			[][]int{span(0, groupMaxPushes), {groupMaxPushes}}},
		{"push limit twice over", repeat(2*groupMaxPushes+5, 2),
			[][]int{span(0, groupMaxPushes), span(groupMaxPushes, 2*groupMaxPushes), span(2*groupMaxPushes, 2*groupMaxPushes+5)}},
		{"exactly the mutation limit", []int{half, groupMaxMutations - half, 1}, [][]int{{0, 1}, {2}}},
		{"one over the mutation limit", []int{half, groupMaxMutations - half + 1}, [][]int{{0}, {1}}},
		{"a push over the mutation limit still goes, alone", []int{groupMaxMutations + 1, 1, 1}, [][]int{{0}, {1, 2}}},
		{"a small push does not jump the queue", []int{half, half + 1, 1}, [][]int{{0}, {1, 2}}},
		{"mutation limit before push limit", repeat(10, groupMaxMutations/4),
			[][]int{span(0, 4), span(4, 8), span(8, 10)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			queue := &orgQueue{}
			index := map[*queuedPush]int{}
			for i, size := range tc.sizes {
				q := &queuedPush{mutations: make([]Mutation, size)}
				index[q] = i
				queue.pending = append(queue.pending, q)
			}
			var got [][]int
			for len(queue.pending) > 0 {
				group := takeGroup(queue)
				if len(group) == 0 {
					t.Fatalf("empty group from a queue of %d", len(queue.pending))
				}
				taken := make([]int, len(group))
				for i, q := range group {
					taken[i] = index[q]
				}
				got = append(got, taken)
			}
			if group := takeGroup(queue); len(group) != 0 {
				t.Fatalf("empty queue gave a group of %d", len(group))
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("groups %v, want %v", got, tc.want)
			}
		})
	}
}

// A group taken from the queue is its own slice: pushes queued after it
// must not be appended into it through a shared backing array.
func TestTakeGroupDoesNotShareItsSlice(t *testing.T) {
	queue := &orgQueue{}
	first := &queuedPush{mutations: make([]Mutation, 1)}
	queue.pending = append(make([]*queuedPush, 0, 8), first)
	group := takeGroup(queue)
	later := &queuedPush{mutations: make([]Mutation, 1)}
	queue.pending = append(queue.pending, later)
	group = append(group, &queuedPush{})
	if queue.pending[0] != later || group[0] != first || len(queue.pending) != 1 {
		t.Fatalf("queue %v and group %v share storage", queue.pending, group)
	}
}

// A push starts a runner when none runs; a second one only while the
// organisation is busy: busyQueue pushes waiting, or a last group that
// large. Never more than groupRunners.
func TestStartsRunner(t *testing.T) {
	cases := []struct {
		name                        string
		runners, pending, lastGroup int
		want                        bool
	}{
		{"no runner: the first push starts one", 0, 1, 0, true},
		{"no runner, after a large group", 0, 1, busyQueue, true},
		{"one runner, few pushes waiting: they wait for it", 1, busyQueue - 1, 1, false},
		{"one runner, a queue of busyQueue", 1, busyQueue, 1, true},
		{"one runner, its last group large", 1, 1, busyQueue, true},
		{"one runner, its last group just under", 1, 1, busyQueue - 1, false},
		{"every runner busy", groupRunners, 3 * busyQueue, groupMaxPushes, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			queue := &orgQueue{runners: tc.runners, pending: make([]*queuedPush, tc.pending), lastGroup: tc.lastGroup}
			if got := queue.startsRunner(); got != tc.want {
				t.Errorf("runners %d, pending %d, last group %d: starts a runner %v, want %v",
					tc.runners, tc.pending, tc.lastGroup, got, tc.want)
			}
		})
	}
}

// takeGroup remembers how many pushes the group it took held, for
// startsRunner; an empty queue leaves the last size alone.
func TestTakeGroupRemembersItsSize(t *testing.T) {
	queue := &orgQueue{pending: make([]*queuedPush, 5)}
	for i := range queue.pending {
		queue.pending[i] = &queuedPush{}
	}
	takeGroup(queue)
	if queue.lastGroup != 5 {
		t.Fatalf("last group %d, want 5", queue.lastGroup)
	}
	takeGroup(queue)
	if queue.lastGroup != 5 {
		t.Fatalf("an empty take changed the last group to %d", queue.lastGroup)
	}
}
