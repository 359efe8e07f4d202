using System.Management.Automation;

namespace Dreamina.Reporting
{
    /// <summary>
    /// A run's one way out: whatever the run made (its client, its spend guard, its uploader, its waiter) writes
    /// here, and the run decides where that goes: the cmdlet's pipeline, or, once it moves to the background
    /// (-AsJob), the job's streams. So nothing made before the move writes to a cmdlet that has finished.
    /// </summary>
    internal sealed class RelaySink : IOutputSink
    {
        private volatile IOutputSink _target;

        public RelaySink(IOutputSink target) => _target = target;

        public void SwitchTo(IOutputSink target) => _target = target;

        public void Output(object item) => _target.Output(item);
        public void Error(DreaminaException error, object? target) => _target.Error(error, target);
        public void Progress(ProgressRecord record) => _target.Progress(record);
        public void Verbose(string message) => _target.Verbose(message);
        public void Debug(string message) => _target.Debug(message);
        public void Warning(string message) => _target.Warning(message);
        public void Information(string message) => _target.Information(message);
    }
}
