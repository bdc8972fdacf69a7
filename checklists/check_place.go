package checklists

// locationFields and scanFields are the fields of object answers.
var (
	locationFields = map[string]bool{"lat": true, "lng": true, "accuracy_m": true}
	scanFields     = map[string]bool{"tag": true, "method": true}
	scanMethods    = map[string]bool{"qr": true, "nfc": true, "manual": true}
)

func (evaluation *evaluation) checkLocation(item *Item, value any, path string) {
	fields, ok := value.(map[string]any)
	if !ok {
		evaluation.addError(path, CodeWrongType, `must be {"lat", "lng", "accuracy_m"}`)
		return
	}
	evaluation.onlyFields(fields, path, locationFields)
	evaluation.coordinate(fields, path, "lat", 90)
	evaluation.coordinate(fields, path, "lng", 180)
	accuracy, present := fields["accuracy_m"].(float64)
	switch {
	case fields["accuracy_m"] != nil && (!present || accuracy < 0):
		evaluation.addError(path+"/accuracy_m", CodeWrongType, "must be a number of metres, at least 0")
	case item.AccuracyM == nil:
	case !present:
		evaluation.addError(path+"/accuracy_m", CodeLocationAccuracy, "the accuracy is needed; at most %v m is required", *item.AccuracyM)
	case accuracy > *item.AccuracyM:
		evaluation.addError(path+"/accuracy_m", CodeLocationAccuracy, "%v m is worse than the required %v m", accuracy, *item.AccuracyM)
	}
}

func (evaluation *evaluation) coordinate(fields map[string]any, path, name string, limit float64) {
	number, ok := fields[name].(float64)
	if !ok || number < -limit || number > limit {
		evaluation.addError(path+"/"+name, CodeLocation, "must be a number between %v and %v", -limit, limit)
	}
}

func (evaluation *evaluation) checkScan(value any, path string) {
	fields, ok := value.(map[string]any)
	if !ok {
		evaluation.addError(path, CodeWrongType, `must be {"tag", "method"}`)
		return
	}
	evaluation.onlyFields(fields, path, scanFields)
	if tag, _ := fields["tag"].(string); tag == "" {
		evaluation.addError(path+"/tag", CodeWrongType, "the scanned tag is missing")
	}
	if method, _ := fields["method"].(string); !scanMethods[method] {
		evaluation.addError(path+"/method", CodeScanMethod, `must be "qr", "nfc" or "manual"`)
	}
}
