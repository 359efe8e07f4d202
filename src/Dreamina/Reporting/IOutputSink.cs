using System.Management.Automation;

namespace Dreamina.Reporting
{
    /// <summary>
    /// Where a piece of work (submitting, waiting, saving) sends everything a user sees, from any thread: the
    /// pipeline of the cmdlet that runs it, or the streams of a background job. Both pass all text through the
    /// session's <see cref="Redactor"/> before it leaves the module.
    /// </summary>
    internal interface IOutputSink : IActivityLog
    {
        void Output(object item);
        void Error(DreaminaException error, object? target);
        void Progress(ProgressRecord record);
    }
}
