package store

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// TestMigrationsAsReleased holds each dialect's text of every released
// migration to the SHA-256 of the text databases have run: a migration is
// never edited once released (a new one is added instead), and the
// column-type placeholders must give each dialect exactly its text.
func TestMigrationsAsReleased(t *testing.T) {
	t.Parallel()
	released := map[Dialect]map[string]string{
		Postgres: {
			"001_init.sql":            "9c2bb54180656537343f85a47b45fd36d4a8db4e4523d6b41485615e476dd9f9",
			"010_generations.sql":     "ad0f89d36673697fef8c7e7441e1269eddcbaa14e4a038811bc82ed9ee27c543",
			"120_revisions.sql":       "0a51b36370f5a3a5b248bcb14bdaf0b7d7a85b45aeef32bd715501948cc0b6cf",
			"130_references.sql":      "93c21247f9530276ebf5ff06573f47e42f22b4f85604f4a522caf772ec527456",
			"140_job_limits.sql":      "b461598cb9036b7401630473b0175a8567df30f76170c2dd5f18b2116f36cecf",
			"150_job_queue_times.sql": "c6dfc6a2ada8b192e80c40c1f98dfe4a736f5720d747b4e761ae4f403df61f8a",
			"160_job_args.sql":        "6a5af34e46d1c6249f119dcb4076b9cd2462c09bf942c0f5b22c61c50ad3e0aa",
			"170_job_request.sql":     "6a39e442fe21de6e59c79e3bda5717c27674fdf21badd10058001984ffc6317a",
			"180_file_counted.sql":    "57129bd88ac0cb84056dea4b7ced9b7b4653462f12cb9ed9d12f57dff28832a8",
			"190_project_client.sql":  "beb7100c8e07df1f673f6b553d6ffc41ca647b3426a5c527928fa7c8e7ed64cc",
			"200_revision_bytes.sql":  "f8b968cd3232940ae92e5e4cb8a75ba27b51a211f24beac08963bd773695793d",
		},
		SQLite: {
			"001_init.sql":            "353460723fc6f157cbd037c672b3b39fb38d33c85387aa5b4779ce71cb881a5e",
			"010_generations.sql":     "31a165539e2c52395e5a7d6b46bfbcfeb833982021a13f17ce65cfd08c41b01d",
			"120_revisions.sql":       "9b10348bdaba7b42cbff0c6ca2da0eeb36e7f4b9e650f0a46e73d8db7855c325",
			"130_references.sql":      "5daa9013aa5e5b355bf5e622ada5a1971e314d0521f91cda264f780be08115a1",
			"140_job_limits.sql":      "b461598cb9036b7401630473b0175a8567df30f76170c2dd5f18b2116f36cecf",
			"150_job_queue_times.sql": "1ae82bb0065c11d2e15277e20bfa69881dfc584e14544369bfd0db969560672f",
			"160_job_args.sql":        "6a5af34e46d1c6249f119dcb4076b9cd2462c09bf942c0f5b22c61c50ad3e0aa",
			"170_job_request.sql":     "6a39e442fe21de6e59c79e3bda5717c27674fdf21badd10058001984ffc6317a",
			"180_file_counted.sql":    "3c49c6c56c0a83b7652d462ac0e91f33824772cdaa389ba6bdcc8c4bbf91854f",
			"190_project_client.sql":  "beb7100c8e07df1f673f6b553d6ffc41ca647b3426a5c527928fa7c8e7ed64cc",
			"200_revision_bytes.sql":  "928dd6b76b53e70e263607f5826f446e37226e4a0ba4d172a2b5ebeaccbac4df",
		},
	}
	for d, want := range released {
		list, err := readMigrations(d)
		if err != nil {
			t.Fatal(err)
		}
		found := map[string]bool{}
		for _, m := range list {
			found[m.name] = true
			if strings.Contains(m.body, "{{") {
				t.Errorf("%s %s: a placeholder is left: %q", d, m.name, m.body)
			}
			sum := sha256.Sum256([]byte(m.body))
			if w, ok := want[m.name]; ok && hex.EncodeToString(sum[:]) != w {
				t.Errorf("%s %s: the released text changed (sha256 %x, released %s)", d, m.name, sum, w)
			}
		}
		for name := range want {
			if !found[name] {
				t.Errorf("%s: released migration %s is gone", d, name)
			}
		}
	}
}
