namespace Dreamina.Reporting
{
    /// <summary>Where plain classes report what they do: verbose, debug and warning text, from any thread.</summary>
    internal interface IActivityLog
    {
        void Verbose(string message);
        void Debug(string message);
        void Warning(string message);
        /// <summary>What a user may want to know without being warned (PowerShell's Information stream).</summary>
        void Information(string message);
    }

    internal sealed class SilentLog : IActivityLog
    {
        public static readonly SilentLog Instance = new SilentLog();
        public void Verbose(string message) { }
        public void Debug(string message) { }
        public void Warning(string message) { }
        public void Information(string message) { }
    }
}
