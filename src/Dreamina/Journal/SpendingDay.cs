using System;
using System.Globalization;

namespace Dreamina.Journal
{
    /// <summary>Which day a job's cost is charged to: the local day it was submitted, as both journals count it.</summary>
    internal static class SpendingDay
    {
        /// <summary>The day as the spending records name it (yyyy-MM-dd); a job not yet sent is charged to today.</summary>
        public static string Of(DreaminaJob job) => Name((job.SubmittedAt ?? DateTimeOffset.Now).LocalDateTime);

        public static string Today => Name(DateTime.Now);

        /// <summary>Whether a job copied in from elsewhere counts toward today's spending: submitted today, and not cancelled.</summary>
        public static bool ChargedToday(DreaminaJob job) => job.Status != JobStatus.Cancelled && job.SubmittedAt is not null && Of(job) == Today;

        private static string Name(DateTime day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }
}
