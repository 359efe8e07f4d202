using System;
using System.Management.Automation;
using Dreamina.Hosting;
using Dreamina.Waiting;

namespace Dreamina.Commands
{
    /// <summary>Waits for jobs and emits each one downstream the moment it finishes; failed jobs become errors.</summary>
    [Cmdlet(VerbsLifecycle.Wait, "DreaminaJob", DefaultParameterSetName = ByJob)]
    [OutputType(typeof(DreaminaJob))]
    public sealed class WaitDreaminaJobCommand : DreaminaJobCmdlet
    {
        private PipelineWait? _wait;
        private DateTime? _deadline;

        /// <summary>Seconds to wait in all; -1 (the default) waits as long as it takes. Unfinished jobs are not emitted.</summary>
        [Parameter]
        [ValidateRange(-1, int.MaxValue)]
        public int Timeout { get; set; } = -1;

        /// <summary>Return as soon as any one job finishes.</summary>
        [Parameter]
        public SwitchParameter Any { get; set; }

        /// <summary>Seconds between status checks of a job (RunComfy's CLI uses 2).</summary>
        [Parameter]
        [ValidateRange(0.05, 600)]
        public double PollInterval { get; set; } = 2;

        /// <summary>Most status requests in flight at once.</summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 8;

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            if (Timeout >= 0) _deadline = DateTime.UtcNow.AddSeconds(Timeout);
            _wait = new PipelineWait(this, new WaitSettings { PollInterval = TimeSpan.FromSeconds(PollInterval), ThrottleLimit = ThrottleLimit });
        }

        protected override void ProcessRecord()
        {
            foreach (var job in Jobs) _wait!.Add(job);
            // Emit whatever has finished meanwhile, so downloads downstream start while upstream still submits.
            Drain();
        }

        protected override void EndProcessing()
        {
            _wait!.Run(_deadline, Any);
            _wait.Dispose();
        }
    }
}
