using System.Threading;
using System.Threading.Tasks;

namespace Dreamina.Service
{
    internal static class JobStatusReader
    {
        /// <summary>
        /// Where a job stands: /status, and for a terminal status also /result, which alone decides success
        /// (a failed job may show "completed" on /status).
        /// </summary>
        public static async Task<JobSnapshot> ReadAsync(IRunComfyApi api, string requestId, CancellationToken cancel)
        {
            var status = await api.GetStatusAsync(requestId, cancel).ConfigureAwait(false);
            if (!status.IsFinished) return status;
            return await api.GetResultAsync(requestId, cancel).ConfigureAwait(false);
        }
    }
}
