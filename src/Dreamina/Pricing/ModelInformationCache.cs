using System;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Model;
using Dreamina.Service;

namespace Dreamina.Pricing
{
    /// <summary>The model's information (its price and its rules), read once per session and again when it is an hour old.</summary>
    internal sealed class ModelInformationCache
    {
        private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
        private readonly object _gate = new object();
        private Task<ModelInformation>? _reading;
        private DateTimeOffset _readAt;

        /// <summary>The information, or the error that says why it could not be read (callers warn and go on without it).</summary>
        public Task<ModelInformation> GetAsync(IAccountApi account, DreaminaModel model, CancellationToken cancel)
        {
            lock (_gate)
            {
                var stale = DateTimeOffset.UtcNow - _readAt > Lifetime;
                if (_reading is null || stale || _reading.IsFaulted || _reading.IsCanceled)
                {
                    _readAt = DateTimeOffset.UtcNow;
                    _reading = account.GetModelInformationAsync(model, cancel);
                }
                return _reading;
            }
        }

        /// <summary>What is left of a budget for the read under way, counted from when it started: one call waits once, not once per step.</summary>
        public TimeSpan Left(TimeSpan budget)
        {
            lock (_gate)
            {
                var left = budget - (DateTimeOffset.UtcNow - _readAt);
                return left > TimeSpan.Zero ? left : TimeSpan.Zero;
            }
        }

        /// <summary>What was read, if a read has finished well; nothing is waited for.</summary>
        public ModelInformation? Known
        {
            get
            {
                lock (_gate) return _reading is { Status: TaskStatus.RanToCompletion } done ? done.Result : null;
            }
        }

        public void Clear()
        {
            lock (_gate) _reading = null;
        }
    }
}
