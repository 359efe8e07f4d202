using System.Threading;
using System.Threading.Tasks;

namespace Dreamina.Service
{
    internal static class JobStatusReader
    {
        /// <summary>
        /// Where a job stands: /status, and for a terminal status also /result, which alone decides success
        /// (a failed job may show "completed" on /status). Asked at the address the job was sent to.
        /// </summary>
        public static async Task<JobSnapshot> ReadAsync(IRunComfyApi api, DreaminaJob job, CancellationToken cancel)
        {
            api = api.At(job.ServiceUri);
            var requestId = job.RequestId!;
            var status = await api.GetStatusAsync(requestId, cancel).ConfigureAwait(false);
            if (!status.IsFinished) return status;
            return await api.GetResultAsync(requestId, cancel).ConfigureAwait(false);
        }
    }
}
