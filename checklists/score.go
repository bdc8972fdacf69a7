package checklists

// tally sums one section's score.
type tally struct {
	visible  bool
	earned   float64
	possible float64
}

// add scores a valid answer: weight × fraction earned out of weight. N.A.,
// items that can never fail and items that report an incident (a report is
// never the reporter's fault: IncidentRule) are left out of both sums.
func (score *tally) add(item *Item, value any, failed bool) {
	weight := item.weight()
	if weight == 0 || !item.canFail() || item.Incident != nil || value == "na" && item.Type == TypeYesNo {
		return
	}
	score.possible += weight
	if !failed {
		score.earned += weight * fraction(item, value)
	}
}

// fraction is the share of the weight a passing answer earns: the option's
// score for graded choices (the lowest chosen one for multiple choice), 1
// otherwise.
func fraction(item *Item, value any) float64 {
	switch item.Type {
	case TypeSingleChoice:
		return item.option(value.(string)).score()
	case TypeMultiChoice:
		lowest := 1.0
		for _, chosen := range value.([]any) {
			lowest = min(lowest, item.option(chosen.(string)).score())
		}
		return lowest
	}
	return 1
}

// percent is earned out of possible as a percentage; nothing possible means
// nothing was lost.
func percent(earned, possible float64) float64 {
	if possible == 0 {
		return 100
	}
	return earned / possible * 100
}

// finish computes section and total scores and the outcome.
func (evaluation *evaluation) finish() {
	result := evaluation.result
	var earned, possible, weighted, weights float64
	for index, section := range evaluation.template.Sections {
		score := evaluation.tallies[index]
		weight := 1.0
		if section.Weight != nil {
			weight = *section.Weight
		}
		result.Sections = append(result.Sections, SectionResult{
			Key: section.Key, Visible: score.visible, Weight: weight,
			Earned: round(score.earned, 4), Possible: round(score.possible, 4),
			Percent: round(percent(score.earned, score.possible), 2),
		})
		earned, possible = earned+score.earned, possible+score.possible
		if score.possible > 0 {
			weighted += weight * score.earned / score.possible
			weights += weight
		}
	}
	if evaluation.template.Scoring == ScoringSections {
		result.Score = round(percent(weighted, weights), 2)
	} else {
		result.Score = round(percent(earned, possible), 2)
	}
	result.Outcome = evaluation.outcome()
}

// outcome: incomplete while anything is missing or wrong, then fail on a
// critical failure, a countersignature the server could not verify, or a
// score below the threshold, else pass.
func (evaluation *evaluation) outcome() string {
	result := evaluation.result
	switch {
	case len(result.Missing) > 0 || len(result.Errors) > 0:
		return OutcomeIncomplete
	case len(result.CriticalFailed) > 0 || result.Score < evaluation.template.PassThreshold:
		return OutcomeFail
	}
	for _, check := range result.Countersigns {
		if check.Verdict != nil && !check.Verdict.Verified {
			return OutcomeFail
		}
	}
	return OutcomePass
}
