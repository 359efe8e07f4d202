using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Dreamina.Download
{
    /// <summary>
    /// A write-only stream over the partial file that counts what passes, so a download can use the HTTP
    /// stream's own CopyToAsync (which writes straight from the connection's buffer) and still stop at the
    /// size limit and report progress.
    /// </summary>
    internal sealed class CountingStream : Stream
    {
        private readonly Stream _inner;
        private readonly Action<long> _check;

        /// <param name="check">Called with the new position before each write; it throws to stop the copy.</param>
        public CountingStream(Stream inner, Action<long> check)
        {
            _inner = inner;
            _check = check;
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _inner.Length;
        public override long Position { get => _inner.Position; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count)
        {
            _check(_inner.Position + count);
            _inner.Write(buffer, offset, count);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            _check(_inner.Position + count);
            return _inner.WriteAsync(buffer, offset, count, cancellationToken);
        }

        public override void Flush() => _inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
