package checklists

import (
	"strconv"
	"strings"
)

func (evaluation *evaluation) checkPhotos(item *Item, value any, path string) {
	list, ok := value.([]any)
	if !ok {
		evaluation.addError(path, CodeWrongType, "must be an array of media ids")
		return
	}
	for index, element := range list {
		id, _ := element.(string)
		if !isUUID(id) {
			evaluation.addError(path+"/"+strconv.Itoa(index), CodeMediaID, "must be a media id (UUID)")
		}
	}
	minimum, maximum := intOr(item.MinCount, 0), intOr(item.MaxCount, -1)
	if len(list) < minimum || (maximum >= 0 && len(list) > maximum) {
		evaluation.addError(path, CodePhotoCount, "has %d photo(s); allowed %s", len(list), countRange(minimum, maximum))
	}
}

// checkMedia checks the evidence ids attached to any answer.
func (evaluation *evaluation) checkMedia(media []string, path string) {
	for index, id := range media {
		if !isUUID(id) {
			evaluation.addError(path+"/"+strconv.Itoa(index), CodeMediaID, "must be a media id (UUID)")
		}
	}
}

func (evaluation *evaluation) checkSignature(value any, path string) {
	fields, ok := value.(map[string]any)
	if !ok {
		evaluation.addError(path, CodeWrongType, `must be {"media_id", "signer_name"?, "signer_user_id"?}`)
		return
	}
	id, present := fields["media_id"].(string)
	switch {
	case !present || id == "":
		evaluation.addError(path+"/media_id", CodeSignatureMissing, "the signature image is missing")
	case !isUUID(id):
		evaluation.addError(path+"/media_id", CodeMediaID, "must be a media id (UUID)")
	}
	evaluation.onlyFields(fields, path, map[string]bool{"media_id": true, "signer_name": true, "signer_user_id": true})
	for _, name := range []string{"signer_name", "signer_user_id"} {
		if field, present := fields[name]; present {
			if _, isString := field.(string); !isString {
				evaluation.addError(path+"/"+name, CodeWrongType, "must be a string")
			}
		}
	}
}

// onlyFields reports fields of an object answer that its type does not have.
func (evaluation *evaluation) onlyFields(fields map[string]any, path string, allowed map[string]bool) {
	for _, name := range sortedKeys(fields) {
		if !allowed[name] {
			evaluation.addError(path+"/"+pointerToken(name), CodeWrongType, "unknown field %q", name)
		}
	}
}

// countersign checks the second person of a two-person item and reports
// whether the server's verdict fails the item. Whether the countersigner
// exists, works at the site, holds the role and made the signature is for
// the server to judge; the result lists every countersignature for that,
// with the verdict when Input.Judge or Input.Countersigns gives one.
func (evaluation *evaluation) countersign(item *Item, answer *Answer, path string) (failed bool) {
	given := answer.Countersign
	if item.Countersign == nil {
		if given != nil {
			evaluation.addError(path+"/countersign", CodeNotAnswerable, "the item takes no countersignature")
		}
		return false
	}
	verdicts, judge := evaluation.input.Countersigns, evaluation.input.Judge
	switch {
	case given == nil || given.UserID == "":
		evaluation.addError(path+"/countersign", CodeCountersignMissing, "a two-person item needs a second person's countersignature")
		return false
	case verdicts == nil && judge == nil && evaluation.input.InspectorID != "" && equalIDs(given.UserID, evaluation.input.InspectorID):
		// On the server the verdict says so, and the item fails.
		evaluation.addError(path+"/countersign/user_id", CodeCountersignSelf, "the countersigner must be someone other than the inspector")
		return false
	case given.SignatureMediaID != "" && !isUUID(given.SignatureMediaID):
		evaluation.addError(path+"/countersign/signature_media_id", CodeMediaID, "must be a media id (UUID)")
		return false
	}
	check := CountersignCheck{
		Path: path, UserID: given.UserID, Role: item.Countersign.Role, SignatureMediaID: given.SignatureMediaID,
		KeyID: given.KeyID, SignedAt: given.SignedAt, Signature: given.Signature, AnswerSHA256: AnswerDigest(*answer),
	}
	if judge != nil {
		verdict := judge(check)
		check.Verdict = &verdict
		failed = !verdict.Verified
	} else if verdicts != nil {
		verdict, judged := verdicts[path]
		if !judged {
			verdict = CountersignVerdict{Code: CodeCountersignUnverified, Reason: "the countersignature was not verified"}
		}
		check.Verdict = &verdict
		failed = !verdict.Verified
	}
	evaluation.result.Countersigns = append(evaluation.result.Countersigns, check)
	return failed
}

// isUUID reports whether text is a UUID in its canonical 8-4-4-4-12 form.
func isUUID(text string) bool {
	if len(text) != 36 {
		return false
	}
	for index := 0; index < len(text); index++ {
		character := text[index]
		if index == 8 || index == 13 || index == 18 || index == 23 {
			if character != '-' {
				return false
			}
			continue
		}
		if !isHexDigit(character) {
			return false
		}
	}
	return true
}

func isHexDigit(character byte) bool {
	return '0' <= character && character <= '9' || 'a' <= character && character <= 'f' || 'A' <= character && character <= 'F'
}

// equalIDs compares ids the way UUIDs compare: case does not matter.
func equalIDs(first, second string) bool {
	return strings.EqualFold(first, second)
}
