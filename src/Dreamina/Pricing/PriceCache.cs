using System;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Model;
using Dreamina.Service;

namespace Dreamina.Pricing
{
    /// <summary>The model's price, read once per session and again when it is an hour old.</summary>
    internal sealed class PriceCache
    {
        private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
        private readonly object _gate = new object();
        private Task<ModelPrice>? _reading;
        private DateTimeOffset _readAt;

        /// <summary>The price, or the error that says why it could not be read (callers warn and go on without it).</summary>
        public Task<ModelPrice> GetAsync(IAccountApi account, DreaminaModel model, CancellationToken cancel)
        {
            lock (_gate)
            {
                var stale = DateTimeOffset.UtcNow - _readAt > Lifetime;
                if (_reading is null || stale || _reading.IsFaulted || _reading.IsCanceled)
                {
                    _readAt = DateTimeOffset.UtcNow;
                    _reading = account.GetPriceAsync(model, cancel);
                }
                return _reading;
            }
        }

        public void Clear()
        {
            lock (_gate) _reading = null;
        }
    }
}
