package media

import (
	"strconv"
	"strings"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/input"
)

// Reference is one media id named in an inspection's answers, with the
// JSON pointer (into the answers) where it is named.
type Reference struct {
	Path string
	ID   string
	// Answer is the answer naming the media: a signature's content_digest
	// must be its checklists.AnswerDigest.
	Answer checklists.Answer
}

// References lists every media id the answers name: photo values, a
// signature's media_id, any answer's media evidence and a countersigner's
// signature. Ids that are not UUIDs are left out; the checklist engine
// reports those.
func References(t *checklists.Template, answers map[string]checklists.Answer) []Reference {
	var out []Reference
	for _, section := range t.Sections {
		for _, item := range section.Items {
			answer, ok := answers[item.Key]
			if !ok {
				continue
			}
			if item.Type != checklists.TypeGroup {
				out = append(out, answerReferences(item, answer, "/"+item.Key)...)
				continue
			}
			for index, repeat := range answer.Repeats {
				for _, child := range item.Items {
					if childAnswer, ok := repeat[child.Key]; ok {
						path := "/" + item.Key + "/" + strconv.Itoa(index) + "/" + child.Key
						out = append(out, answerReferences(child, childAnswer, path)...)
					}
				}
			}
		}
	}
	return out
}

func answerReferences(item checklists.Item, answer checklists.Answer, path string) []Reference {
	var out []Reference
	add := func(at string, value any) {
		if id, ok := value.(string); ok && input.IsUUID(id) {
			out = append(out, Reference{Path: at, ID: strings.ToLower(id), Answer: answer})
		}
	}
	switch item.Type {
	case checklists.TypePhoto:
		if list, ok := answer.Value.([]any); ok {
			for index, element := range list {
				add(path+"/"+strconv.Itoa(index), element)
			}
		}
	case checklists.TypeSignature:
		if fields, ok := answer.Value.(map[string]any); ok {
			add(path+"/media_id", fields["media_id"])
		}
	}
	for index, id := range answer.Media {
		add(path+"/media/"+strconv.Itoa(index), id)
	}
	if answer.Countersign != nil {
		add(path+"/countersign/signature_media_id", answer.Countersign.SignatureMediaID)
	}
	return out
}
