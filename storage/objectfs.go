package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	s3fs "github.com/fclairamb/afero-s3"
	"github.com/spf13/afero"
)

// objectFs is an S3 bucket as an afero file system, plus the one
// operation afero cannot express: create an object only if none exists
// (a conditional PUT, If-None-Match: *). It makes "status.json is created
// once" atomic on object stores, as O_EXCL does on disk, so two processes
// (a resume next to the live run) cannot both start a component.
type objectFs struct {
	*s3fs.Fs
	client *s3.Client
	bucket string
}

func isObjectStore(f afero.Fs) bool { _, ok := f.(*objectFs); return ok }

// createExclusive writes key unless it exists (os.ErrExist then). A
// retried request whose first attempt did land finds its own bytes there:
// that counts as created.
func (f *objectFs) createExclusive(key string, data []byte) error {
	err := f.putIfAbsent(key, data)
	if !errors.Is(err, os.ErrExist) {
		return err
	}
	out, gerr := f.client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(f.bucket), Key: aws.String(key)})
	if gerr == nil {
		defer out.Body.Close()
		if there, rerr := io.ReadAll(out.Body); rerr == nil && bytes.Equal(there, data) {
			return nil
		}
	}
	return err
}

// putIfAbsent writes key unless it exists, whatever it holds
// (os.ErrExist then): a conditional PUT, If-None-Match: *.
func (f *objectFs) putIfAbsent(key string, data []byte) error {
	_, err := f.client.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket:      aws.String(f.bucket),
		Key:         aws.String(key),
		Body:        bytes.NewReader(data),
		IfNoneMatch: aws.String("*"),
	})
	var apiErr smithy.APIError
	if err != nil && errors.As(err, &apiErr) && (apiErr.ErrorCode() == "PreconditionFailed" || apiErr.ErrorCode() == "ConditionalRequestConflict") {
		return fmt.Errorf("%s exists: %w", key, os.ErrExist)
	}
	return err
}

// readObject reads a whole object with one GET, so that it is one
// version of it: afero-s3 looks at the size first and reads after, and
// an object replaced in between (a status.json being rewritten) reads
// truncated. A missing key is fs.ErrNotExist.
func (f *objectFs) readObject(key string) ([]byte, error) {
	out, err := f.client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(f.bucket), Key: aws.String(key)})
	if err != nil {
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) && (apiErr.ErrorCode() == "NoSuchKey" || apiErr.ErrorCode() == "NotFound") {
			return nil, &fs.PathError{Op: "open", Path: key, Err: fs.ErrNotExist}
		}
		return nil, &fs.PathError{Op: "open", Path: key, Err: err}
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}
