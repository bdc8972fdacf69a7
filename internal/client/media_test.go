package client_test

import (
	"bufio"
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/blob/s3"
	"github.com/patrolsync/patrolsync/internal/client"
	"github.com/patrolsync/patrolsync/internal/client/flaky"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// multipartSettings make blobs above 5 MiB (S3's smallest part) go up in
// parts of 5 MiB, so that an 11 MiB photo takes three.
var multipartSettings = []apitest.Option{
	apitest.WithSetting("PATROLSYNC_MEDIA_MULTIPART_THRESHOLD", "5242880"),
	apitest.WithSetting("PATROLSYNC_MEDIA_PART_SIZE", "5242880"),
	apitest.WithSetting("PATROLSYNC_MEDIA_MAX_BYTES", "16777216"),
}

const bigPhoto = 11 << 20

// bigPNG is size bytes that sniff as a PNG.
func bigPNG(size int) []byte {
	body := make([]byte, size)
	for i := range body {
		body[i] = byte(rand.IntN(256))
	}
	copy(body, "\x89PNG\r\n\x1a\n")
	return body
}

// fillWithPhoto fills and submits one inspection whose first photo item
// holds a photo taken on the device (AttachMedia) rather than a stand-in.
func fillWithPhoto(t *testing.T, ctx context.Context, c *client.Client, site string, photo []byte) expected {
	t.Helper()
	version, err := c.Template(ctx, testTemplate)
	if err != nil {
		t.Fatal(err)
	}
	template, err := version.Parse()
	if err != nil {
		t.Fatal(err)
	}
	input := checklists.SampleAnswers(template, true)
	id, err := c.StartInspection(ctx, testTemplate, site, input.Context)
	if err != nil {
		t.Fatal(err)
	}
	setFirstPhoto(t, template, input.Answers, func(path string) string {
		mediaID, err := c.AttachMedia(ctx, client.Evidence{InspectionID: id, Path: path, Kind: client.KindPhoto,
			ContentType: "image/png", Data: photo})
		if err != nil {
			t.Fatal(err)
		}
		return mediaID
	})
	if err := c.Fill(ctx, id, template, input.Answers); err != nil {
		t.Fatal(err)
	}
	if err := c.Submit(ctx, id); err != nil {
		t.Fatal(err)
	}
	return expected{id: input.Answers}
}

// setFirstPhoto makes the template's first photo item (at the top level or
// in a group's first repeat) hold the one media id that take gives it.
func setFirstPhoto(t *testing.T, template *checklists.Template, answers map[string]checklists.Answer, take func(path string) string) {
	t.Helper()
	for _, section := range template.Sections {
		for _, item := range section.Items {
			if item.Type == checklists.TypePhoto {
				a := answers[item.Key]
				a.Value = []any{take("/" + item.Key)}
				answers[item.Key] = a
				return
			}
			for _, child := range item.Items {
				if child.Type == checklists.TypePhoto && len(answers[item.Key].Repeats) > 0 {
					repeat := answers[item.Key].Repeats[0]
					a := repeat[child.Key]
					a.Value = []any{take("/" + item.Key + "/0/" + child.Key)}
					repeat[child.Key] = a
					return
				}
			}
		}
	}
	t.Fatal("the template has no photo item")
}

func merged(maps ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// TestCrashMidUpload: a device is killed after the first part of a large
// photo landed, then between a photo's PUT and its complete, then after a
// complete the server answered; reopened each time from its state
// directory it sends only the parts still missing, and ends with every
// photo stored with its bytes and every inspection submitted once.
func TestCrashMidUpload(t *testing.T) {
	testenv.Each(t, func(t *testing.T, databaseURL string) {
		env := apitest.New(t, databaseURL, multipartSettings...)
		tenant := env.NewTenant("upload-crash")
		dir := t.TempDir()
		putLog := filepath.Join(t.TempDir(), "puts.log")
		common := map[string]string{"CLIENT_CRASH_HELPER": "1", "CLIENT_CRASH_DIR": dir, "CLIENT_CRASH_SERVER": env.URL,
			"CLIENT_CRASH_EMAIL": tenant.Guard.Email, "CLIENT_CRASH_KILL_AT": "1"}
		// Offline work, then death once part 1 of the large photo is stored.
		runKilled(t, merged(common, map[string]string{"CLIENT_CRASH_FILL": "1", "CLIENT_CRASH_BIG_PHOTO": "11534336",
			"CLIENT_CRASH_KILL_ON": "part"}))
		// Resumes the parts, then dies between a small photo's PUT and its complete.
		runKilled(t, merged(common, map[string]string{"CLIENT_CRASH_KILL_ON": "put", "CLIENT_CRASH_PUT_LOG": putLog}))
		// Dies after the server completed a photo, before the device recorded it.
		runKilled(t, merged(common, map[string]string{"CLIENT_CRASH_KILL_ON": "complete", "CLIENT_CRASH_PUT_LOG": putLog}))

		parts := resumedParts(t, putLog)
		if strings.Join(parts, ",") != "2,3" {
			t.Errorf("after the kill the device sent parts %v of the large photo, want only the missing 2,3", parts)
		}
		raw, err := os.ReadFile(filepath.Join(dir, "want.json"))
		if err != nil {
			t.Fatal(err)
		}
		var want expected
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		c := openDevice(t, env.URL, dir, http.DefaultTransport)
		before, err := c.Stats(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if before.Media[client.MediaUploaded]+before.Media[client.MediaDeclared] == 0 {
			t.Errorf("after the kills the media queue is %v; want a photo caught between upload and complete", before.Media)
		}
		syncUntilEmpty(t, context.Background(), c, time.Minute)
		checkServer(t, env, tenant.Guard.Token, want)
		checkClientDone(t, c, want)
		checkMedia(t, c, env.URL, tenant.Guard.Token, want, 1)
		t.Logf("media after the kills %v; parts resent %v", before.Media, parts)
	})
}

// resumedParts lists the part numbers the log's PUTs sent.
func resumedParts(t *testing.T, name string) []string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var parts []string
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		_, raw, _ := strings.Cut(scanner.Text(), "?")
		query, err := url.ParseQuery(raw)
		if err != nil {
			t.Fatal(err)
		}
		if query.Has("upload_id") {
			parts = append(parts, query.Get("part"))
		}
	}
	return parts
}

func s3URL(cfg s3.S3Config) string {
	return "s3://" + cfg.Bucket + "?" + url.Values{"endpoint": {cfg.Endpoint}, "region": {cfg.Region},
		"access_key": {cfg.AccessKey}, "secret_key": {cfg.SecretKey}, "secure": {"false"}}.Encode()
}

// TestMediaToS3: on a lossy network, against the real S3 server, a device
// sends stand-in photos with single presigned PUTs and a large photo in
// parts, and the same large bytes a second time (the server finds the
// twin); every photo is stored with its bytes.
func TestMediaToS3(t *testing.T) {
	testenv.Each(t, func(t *testing.T, databaseURL string) {
		ctx := context.Background()
		opts := append([]apitest.Option{apitest.WithSetting("PATROLSYNC_BLOBS", s3URL(testenv.S3(t)))}, multipartSettings...)
		env := apitest.New(t, databaseURL, opts...)
		tenant := env.NewTenant("s3-device")
		transport := flaky.New(nil, flaky.Options{Seed: 11, DropRequest: 0.15, DropResponse: 0.15})
		c := openDevice(t, env.URL, t.TempDir(), transport)
		me, err := c.Login(ctx, tenant.Guard.Email, apitest.Password)
		if err != nil {
			t.Fatal(err)
		}
		syncUntilEmpty(t, ctx, c, time.Minute)
		photo := bigPNG(bigPhoto)
		want := fillWithPhoto(t, ctx, c, me.SiteIDs[0], photo)
		for id, answers := range fillWithPhoto(t, ctx, c, me.SiteIDs[0], photo) {
			want[id] = answers
		}
		for id, answers := range fill(t, ctx, c, me.SiteIDs[0], 3) {
			want[id] = answers
		}
		syncUntilEmpty(t, ctx, c, 3*time.Minute)
		checkServer(t, env, tenant.Guard.Token, want)
		checkClientDone(t, c, want)
		checkMedia(t, c, env.URL, tenant.Guard.Token, want, 1)
		st, err := c.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// One accepted PUT per small photo, three parts for the large one,
		// none for its twin: the server already has those bytes.
		if small := st.Media[client.MediaStored] - 2; st.MediaPuts != int64(small+3) {
			t.Errorf("%d uploads accepted for %d small photos and a large one in 3 parts plus its twin, want %d",
				st.MediaPuts, small, small+3)
		}
		t.Logf("%d media stored with %d uploads; faults %+v", st.Media[client.MediaStored], st.MediaPuts, transport.Stats())
	})
}

// AttachMedia refuses evidence it could never send, and Fill refuses an
// answer naming media taken for another inspection (the server would
// refuse the submit).
func TestMediaRefusals(t *testing.T) {
	testenv.Each(t, func(t *testing.T, databaseURL string) {
		ctx := context.Background()
		env := apitest.New(t, databaseURL)
		tenant := env.NewTenant("refusals")
		c := openDevice(t, env.URL, t.TempDir(), http.DefaultTransport)
		me, err := c.Login(ctx, tenant.Guard.Email, apitest.Password)
		if err != nil {
			t.Fatal(err)
		}
		syncUntilEmpty(t, ctx, c, time.Minute)
		first, err := c.StartInspection(ctx, testTemplate, me.SiteIDs[0], nil)
		if err != nil {
			t.Fatal(err)
		}
		png := bigPNG(100)
		for name, e := range map[string]client.Evidence{
			"no inspection":       {Kind: client.KindPhoto, ContentType: "image/png", Data: png},
			"unknown kind":        {InspectionID: first, Kind: "video", ContentType: "image/png", Data: png},
			"no bytes":            {InspectionID: first, Kind: client.KindPhoto, ContentType: "image/png"},
			"no content type":     {InspectionID: first, Kind: client.KindPhoto, Data: png},
			"unsigned signature":  {InspectionID: first, Kind: client.KindSignature, ContentType: "image/png", Data: png},
			"photo with a signer": {InspectionID: first, Kind: client.KindPhoto, ContentType: "image/png", Data: png, Signature: &client.Signature{}},
		} {
			if _, err := c.AttachMedia(ctx, e); err == nil {
				t.Errorf("%s: AttachMedia accepted it", name)
			}
		}
		version, err := c.Template(ctx, testTemplate)
		if err != nil {
			t.Fatal(err)
		}
		template, err := version.Parse()
		if err != nil {
			t.Fatal(err)
		}
		input := checklists.SampleAnswers(template, true)
		setFirstPhoto(t, template, input.Answers, func(path string) string {
			id, err := c.AttachMedia(ctx, client.Evidence{InspectionID: first, Path: path, Kind: client.KindPhoto,
				ContentType: "image/png", Data: png})
			if err != nil {
				t.Fatal(err)
			}
			return id
		})
		second, err := c.StartInspection(ctx, testTemplate, me.SiteIDs[0], input.Context)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Fill(ctx, second, template, input.Answers); err == nil || !strings.Contains(err.Error(), first) {
			t.Errorf("Fill with another inspection's photo: %v, want an error naming %s", err, first)
		}
	})
}
