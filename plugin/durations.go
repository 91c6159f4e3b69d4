package plugin

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// maxDuration is the longest time.Duration, as a message prints it.
var maxDuration = time.Duration(math.MaxInt64).Truncate(time.Second)

// checkRequestTimeout validates --request-timeout as client-go will read it
// (clientcmd.ParseTimeout: whole seconds or a Go duration), but without its silent
// overflow: 9999999999 seconds wraps around in client-go.
func checkRequestTimeout(fs *pflag.FlagSet) error {
	fl := fs.Lookup("request-timeout")
	if fl == nil || !fl.Changed {
		return nil
	}
	s := strings.TrimSpace(fl.Value.String())
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 || n > int64(maxDuration/time.Second) {
			return usageErrorf("--request-timeout %s seconds is outside 0-%d (a duration of at most %s)", s, int64(maxDuration/time.Second), maxDuration)
		}
		return nil
	}
	if d, err := time.ParseDuration(s); err != nil || d < 0 {
		return usageErrorf("--request-timeout must be whole seconds or a duration such as 30s or 1m (0: no timeout), got %q", s)
	}
	return nil
}

// parseDays is time.ParseDuration that also accepts whole days ("30d"); a number of days
// too large for a duration is an error, not a wrapped-around value.
func parseDays(s string) (time.Duration, error) {
	n, ok := strings.CutSuffix(s, "d")
	if !ok {
		return time.ParseDuration(s)
	}
	days, err := strconv.ParseInt(n, 10, 64)
	if err != nil {
		return 0, err
	}
	if days > int64(maxDuration/(24*time.Hour)) || days < -int64(maxDuration/(24*time.Hour)) {
		return 0, strconv.ErrRange
	}
	return time.Duration(days) * 24 * time.Hour, nil
}
