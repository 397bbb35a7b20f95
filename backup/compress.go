package backup

import (
	"archive/zip"
	"compress/flate"
	"io"
	"sync"
)

// flateWriters recycles compressors: a flate.Writer costs hundreds of KB
// to allocate, and a project has thousands of small files.
var flateWriters sync.Pool

type pooledFlate struct{ *flate.Writer }

func (p pooledFlate) Close() error {
	err := p.Writer.Close()
	flateWriters.Put(p.Writer)
	return err
}

// fastDeflate trades some zip size for speed: a backup is written before
// every experiment, so it must not delay the run.
func fastDeflate(w io.Writer) (io.WriteCloser, error) {
	if fw, ok := flateWriters.Get().(*flate.Writer); ok {
		fw.Reset(w)
		return pooledFlate{fw}, nil
	}
	fw, err := flate.NewWriter(w, flate.BestSpeed)
	if err != nil {
		return nil, err
	}
	return pooledFlate{fw}, nil
}

func newZipWriter(w io.Writer) *zip.Writer {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, fastDeflate)
	return zw
}
