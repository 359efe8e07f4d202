using System;
using Xunit;

namespace Dreamina.Tests.Infrastructure;

/// <summary>A test of Unix behaviour (file modes): reported as skipped on Windows, never passed without running.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows()) Skip = "Unix file modes do not exist on Windows; the journal's ACLs there are the profile's.";
    }
}
