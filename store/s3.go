package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	gcaws "gocloud.dev/aws"
	"gocloud.dev/blob"
	"gocloud.dev/blob/s3blob"
	"gocloud.dev/gcerrors"
)

// S3 blobs: a bucket URL such as
//
//	s3://stemmaster?endpoint=http://127.0.0.1:7070&region=us-east-1&use_path_style=true
//
// opens the bucket through gocloud.dev/blob/s3blob; credentials come from the
// standard AWS environment variables (AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_PROFILE…) or the instance's role. Writes go
// through the S3 transfer manager: multipart uploads of partSize parts, at
// most uploadConcurrency in flight, so a writer holds at most
// partSize×uploadConcurrency bytes whatever the object's size. An object
// appears whole when its upload completes, never partially.

const (
	partSize          = 8 << 20
	uploadConcurrency = 2
)

// writerOptions are the options of every blob write.
func writerOptions(contentType string) *blob.WriterOptions {
	return &blob.WriterOptions{ContentType: contentType, BufferSize: partSize, MaxConcurrency: uploadConcurrency}
}

// IsS3 reports whether url names an S3 bucket.
func IsS3(url string) bool { return strings.HasPrefix(url, "s3://") }

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	Key     string
	Size    int64
	ModTime time.Time
}

// Walk calls fn for every object under prefix, in key order.
func (b *Blobs) Walk(ctx context.Context, prefix string, fn func(ObjectInfo) error) error {
	// A local directory's listing fails with NotFound when an object is
	// deleted while it is listed (another process sweeping, adopting or
	// replacing). Listings come in key order, so the walk starts again
	// after the last key it handed over, a few times, instead of failing.
	last := ""
	for restarts := 0; ; restarts++ {
		err := b.walkAfter(ctx, prefix, &last, fn)
		if !errors.Is(err, errVanished) {
			return err
		}
		if restarts == 8 {
			return fmt.Errorf("store: list %s: objects kept vanishing while listed", prefix)
		}
	}
}

// errVanished marks a listing cut by an object deleted under it.
var errVanished = errors.New("store: an object vanished while listed")

// walkAfter lists prefix, calling fn for the keys after *last and keeping
// *last up to date.
func (b *Blobs) walkAfter(ctx context.Context, prefix string, last *string, fn func(ObjectInfo) error) error {
	it := b.bucket.List(&blob.ListOptions{Prefix: prefix})
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if gcerrors.Code(err) == gcerrors.NotFound {
				return errVanished
			}
			return fmt.Errorf("store: list %s: %w", prefix, err)
		}
		if obj.IsDir || *last != "" && obj.Key <= *last {
			continue
		}
		if err := fn(ObjectInfo{Key: obj.Key, Size: obj.Size, ModTime: obj.ModTime}); err != nil {
			return err
		}
		*last = obj.Key
	}
}

// SignedURL returns a URL that downloads the object at key without other
// credentials for expiry from the time from, naming the file filename
// (Attachment). The link is signed as made at from (X-Amz-Date), which
// the caller takes from the store's clock (SQL.Now): S3 checks a link
// against its own clock, and a link signed on a machine's clock minutes
// behind lasted minutes less than promised, or was dead when handed out.
// On a store with a public endpoint (public_endpoint) the URL is signed
// against it. Stores that are not S3 (a local directory) sign nothing:
// their error wraps errors.ErrUnsupported.
func (b *Blobs) SignedURL(ctx context.Context, key, filename string, from time.Time, expiry time.Duration) (string, error) {
	if b.presign == nil {
		return "", fmt.Errorf("store: sign %s: %w", key, errors.ErrUnsupported)
	}
	in := &s3.GetObjectInput{Bucket: aws.String(b.s3Name), Key: aws.String(key)}
	if filename != "" {
		in.ResponseContentDisposition = aws.String(Attachment(filename))
	}
	req, err := b.presign.PresignGetObject(ctx, in, s3.WithPresignExpires(expiry), func(o *s3.PresignOptions) {
		o.Presigner = signedAt{v4.NewSigner(), from}
	})
	if err != nil {
		return "", fmt.Errorf("store: sign %s: %w", key, err)
	}
	return req.URL, nil
}

// signedAt signs a link as made at a given time, not at the machine's.
type signedAt struct {
	*v4.Signer
	at time.Time
}

func (s signedAt) PresignHTTP(ctx context.Context, cred aws.Credentials, r *http.Request, payloadHash, service, region string, _ time.Time, optFns ...func(*v4.SignerOptions)) (string, http.Header, error) {
	return s.Signer.PresignHTTP(ctx, cred, r, payloadHash, service, region, s.at, optFns...)
}

// DirectLinks reports whether the store's signed links (SignedURL) reach
// it from where the clients are: an S3 store opened with public_endpoint
// (the links are signed against it) or public_links=true (its endpoint is
// public itself). Others' links, if any, name an endpoint that may be
// reachable only inside the deployment (an internal S3 service): a client
// is sent through the server instead.
func (b *Blobs) DirectLinks() bool { return b.direct }

// Ready reports whether the bucket answers (for readiness probes).
func (b *Blobs) Ready(ctx context.Context) error {
	ok, err := b.bucket.IsAccessible(ctx)
	if err != nil {
		return fmt.Errorf("store: blobs: %w", err)
	}
	if !ok {
		return errors.New("store: blobs: bucket not accessible")
	}
	return nil
}

// s3Client builds the S3 client a bucket URL describes: the query
// parameters of gocloud.dev/aws (region, endpoint, profile…) plus
// use_path_style and disable_https, as s3blob reads them. The SDK's notes
// about responses without checksums (S3-compatible stores rarely send
// them) stay out of the log.
func s3Client(ctx context.Context, bucketURL string) (*s3.Client, string, aws.RequestChecksumCalculation, error) {
	u, err := url.Parse(bucketURL)
	if err != nil {
		return nil, "", 0, fmt.Errorf("store: blobs URL: %w", err)
	}
	q := u.Query()
	// How the clients reach the store is openS3Blobs' business.
	q.Del("public_endpoint")
	q.Del("public_links")
	var opts []func(*s3.Options)
	for _, k := range []string{"use_path_style", "s3ForcePathStyle", "disable_https"} {
		v := q.Get(k)
		q.Del(k)
		if v == "" {
			continue
		}
		on, err := strconv.ParseBool(v)
		if err != nil {
			return nil, "", 0, fmt.Errorf("store: blobs URL: %s=%q is not a boolean", k, v)
		}
		if k == "disable_https" {
			opts = append(opts, func(o *s3.Options) { o.EndpointOptions.DisableHTTPS = on })
		} else {
			opts = append(opts, func(o *s3.Options) { o.UsePathStyle = on })
		}
	}
	// A store that takes a connection and then says nothing (a hung node,
	// a half-open connection after a failover) would hold a request, an
	// upload or a render forever: the SDK leaves S3 without a read
	// timeout. read_timeout is the longest silence on a connection,
	// counted afresh from every byte received, so a slow transfer that
	// moves survives; a silent one fails and is retried below.
	readTimeout := defaultS3ReadTimeout
	if v := q.Get("read_timeout"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, "", 0, fmt.Errorf("store: blobs URL: read_timeout=%q is not a positive duration (such as 2m)", v)
		}
		readTimeout = d
	}
	q.Del("read_timeout")
	// max_attempts bounds the SDK's attempts of one request (the first
	// included) before its caller's own retry, if any, takes over.
	attempts := defaultS3Attempts
	if v := q.Get("max_attempts"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, "", 0, fmt.Errorf("store: blobs URL: max_attempts=%q is not a positive whole number", v)
		}
		attempts = n
	}
	q.Del("max_attempts")
	cfg, err := gcaws.V2ConfigFromURLParams(ctx, q)
	if err != nil {
		return nil, "", 0, fmt.Errorf("store: blobs URL: %w", err)
	}
	cfg.HTTPClient = awshttp.NewBuildableClient().WithReadTimeout(readTimeout)
	opts = append(opts, func(o *s3.Options) {
		o.DisableLogOutputChecksumValidationSkipped = true
		// Ride out a store that is unreachable for a while (a restart,
		// a failover): up to 10 attempts over about half a minute, not
		// rationed by the SDK's retry token bucket, before the job's own
		// retry takes over.
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = attempts
			so.MaxBackoff = 5 * time.Second
			so.RateLimiter = ratelimit.None
		})
	})
	return s3.NewFromConfig(cfg, opts...), u.Host, cfg.RequestChecksumCalculation, nil
}

// defaultS3Attempts is how many times the SDK sends one request at most
// (max_attempts).
const defaultS3Attempts = 10

// defaultS3ReadTimeout is the longest silence on an S3 connection: far
// above what an S3 store takes to answer, and the time an 8 MiB part
// takes at 70 KB/s (the response is read while the part is sent).
const defaultS3ReadTimeout = 2 * time.Minute

// openS3Blobs opens an s3:// bucket URL. Two parameters of its own say
// how the store's signed links reach it from the clients (DirectLinks):
// public_endpoint=URL, the address the clients reach the store at where
// the servers reach it at endpoint (an S3 service inside the deployment
// behind a public proxy or ingress), which the links are signed against;
// public_links=true, the store's endpoint is public itself (AWS S3).
func openS3Blobs(ctx context.Context, bucketURL string) (*Blobs, error) {
	u, err := url.Parse(bucketURL)
	if err != nil {
		return nil, fmt.Errorf("store: blobs URL: %w", err)
	}
	q := u.Query()
	public, publicLinks := q.Get("public_endpoint"), q.Get("public_links")
	q.Del("public_endpoint")
	q.Del("public_links")
	u.RawQuery = q.Encode()
	bs := &Blobs{s3Name: u.Host}
	if publicLinks != "" {
		if bs.direct, err = strconv.ParseBool(publicLinks); err != nil {
			return nil, fmt.Errorf("store: blobs URL: public_links=%q is not a boolean", publicLinks)
		}
	}
	client, name, sum, err := s3Client(ctx, u.String())
	if err != nil {
		return nil, err
	}
	if bs.bucket, err = s3blob.OpenBucket(ctx, client, name, &s3blob.Options{RequestChecksumCalculation: sum}); err != nil {
		return nil, fmt.Errorf("store: blobs %s: %w", u.Redacted(), err)
	}
	bs.presign = s3.NewPresignClient(client)
	if public != "" {
		if p, err := url.Parse(public); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			bs.bucket.Close()
			return nil, fmt.Errorf("store: blobs URL: public_endpoint=%q is not an http(s) URL", public)
		}
		// The same credentials, region and addressing, another endpoint:
		// signing sends nothing, so the servers need not reach it.
		q.Set("endpoint", public)
		u.RawQuery = q.Encode()
		pc, _, _, err := s3Client(ctx, u.String())
		if err != nil {
			bs.bucket.Close()
			return nil, err
		}
		bs.presign, bs.direct = s3.NewPresignClient(pc), true
	}
	return bs, nil
}

// EnsureBucket creates the S3 bucket a bucket URL names when it does not
// exist yet; other URLs need nothing. `stemmaster migrate` calls it so a
// fresh deployment needs no separate S3 tool.
func EnsureBucket(ctx context.Context, bucketURL string) error {
	if !IsS3(bucketURL) {
		return nil
	}
	client, name, _, err := s3Client(ctx, bucketURL)
	if err != nil {
		return err
	}
	if _, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name)}); err == nil {
		return nil
	}
	_, err = client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
	var owned *s3types.BucketAlreadyOwnedByYou
	var exists *s3types.BucketAlreadyExists
	if err != nil && !errors.As(err, &owned) && !errors.As(err, &exists) {
		return fmt.Errorf("store: create bucket %s: %w", name, err)
	}
	return nil
}

// resumeTries bounds the attempts of a download that makes no progress.
const resumeTries = 6

// copyResumable copies an object to w from first, a reader of the whole
// object; when the stream breaks (a dropped connection, a store
// restarting) it reopens the object from the byte reached with a ranged
// read and goes on, so a long download survives a passing fault without
// starting over. Keys name immutable objects (uploads and outputs get
// fresh keys), so the pieces always belong to one object. reopen returns
// a reader from offset to the end; the n-th retry in a row waits n×backoff.
func copyResumable(ctx context.Context, first io.ReadCloser, reopen func(offset int64) (io.ReadCloser, error), w io.Writer, backoff time.Duration) error {
	var off int64
	r := first
	fails := 0
	var err error
	for {
		if r != nil {
			var n int64
			n, err = io.Copy(w, r)
			r.Close()
			r = nil
			off += n
			if err == nil {
				return nil
			}
			if n > 0 {
				fails = 0
			}
		}
		fails++
		if fails >= resumeTries {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(fails) * backoff):
		}
		r, err = reopen(off)
		if errors.Is(err, ErrNotFound) {
			return err
		}
	}
}

// copyObject streams the object at key, already opened as first, to w,
// resuming with ranged reads after a broken stream.
func (b *Blobs) copyObject(ctx context.Context, key string, first io.ReadCloser, w io.Writer) error {
	return copyResumable(ctx, first, func(off int64) (io.ReadCloser, error) {
		return b.OpenRange(ctx, key, off, -1)
	}, w, 500*time.Millisecond)
}

// AbortStaleUploads aborts the multipart uploads under prefix begun
// before the time before (by S3's clock) and never completed: a process
// killed while it streamed a file to S3 (an upload, a render's outputs)
// leaves its parts in the bucket, invisible to every listing and billed,
// for ever. The orphan sweep gives it the time from which it counts
// unrecorded objects old. Stores other than S3 have nothing of the kind
// (their temporary files are swept as objects).
func (b *Blobs) AbortStaleUploads(ctx context.Context, prefix string, before time.Time) (int, error) {
	var client *s3.Client
	if b.s3Name == "" || !b.bucket.As(&client) {
		return 0, nil
	}
	n := 0
	in := &s3.ListMultipartUploadsInput{Bucket: aws.String(b.s3Name), Prefix: aws.String(prefix)}
	for {
		out, err := client.ListMultipartUploads(ctx, in)
		if err != nil {
			return n, fmt.Errorf("store: list unfinished uploads: %w", err)
		}
		for _, u := range out.Uploads {
			if u.Initiated == nil || !u.Initiated.Before(before) {
				continue
			}
			if _, err := client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(b.s3Name), Key: u.Key, UploadId: u.UploadId}); err != nil {
				return n, fmt.Errorf("store: abort the unfinished upload of %s: %w", aws.ToString(u.Key), err)
			}
			n++
		}
		if !aws.ToBool(out.IsTruncated) {
			return n, nil
		}
		in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
	}
}
