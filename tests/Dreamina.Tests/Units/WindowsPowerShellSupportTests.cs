using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Reflection;
using Dreamina.Hosting;
using Dreamina.Tests.Infrastructure;
using Xunit;

namespace Dreamina.Tests.Units;

public sealed class WindowsPowerShellSupportTests
{
    private static readonly string Dependencies = Path.Combine(ModuleUnderTest.StagedDirectory, "dependencies");

    private static string? Choose(string name, string? version)
        => WindowsPowerShellSupport.Choose(new AssemblyName(version is null ? name : $"{name}, Version={version}"), Dependencies, p => AssemblyName.GetAssemblyName(p).Version);

    [Fact]
    public void Bundled_assemblies_answer_requests_for_their_version_or_older()
    {
        var bundled = AssemblyName.GetAssemblyName(Path.Combine(Dependencies, "System.Text.Json.dll")).Version!;
        Assert.EndsWith("System.Text.Json.dll", Choose("System.Text.Json", bundled.ToString()));
        Assert.EndsWith("System.Text.Json.dll", Choose("System.Text.Json", "6.0.0.0"));
        Assert.EndsWith("System.Memory.dll", Choose("System.Memory", "4.0.1.1"));
        Assert.EndsWith("System.Text.Json.dll", Choose("System.Text.Json", null));
    }

    [Fact]
    public void Newer_requests_and_unknown_or_hostile_names_are_left_to_others()
    {
        Assert.Null(Choose("System.Text.Json", "99.0.0.0"));
        Assert.Null(Choose("Newtonsoft.Json", "13.0.0.0"));
        Assert.Null(Choose("Dreamina", null));
        Assert.Null(WindowsPowerShellSupport.Choose(new AssemblyName { Name = "../System.Text.Json" }, Dependencies, _ => new Version(8, 0)));
    }

    [Theory]
    [InlineData(".NET Framework 4.8.9032.0", true)]
    [InlineData(".NET 10.0.12", false)]
    [InlineData(".NET Core 3.1.32", false)]
    public void Only_dotnet_framework_gets_the_support(string runtime, bool hooks)
        => Assert.Equal(hooks, WindowsPowerShellSupport.IsNetFramework(runtime));

    [Fact]
    public void TLS_1_2_is_added_to_an_old_protocol_list_and_a_system_default_is_left_alone()
    {
        // An explicit old list, as powershell.exe starts with (SSL 3 and TLS 1.0) where strong crypto was never turned on.
        Assert.Equal(SecurityProtocolType.Tls | SecurityProtocolType.Tls12, WindowsPowerShellSupport.WithTls12(SecurityProtocolType.Tls));
        Assert.Equal(SecurityProtocolType.Tls12 | SecurityProtocolType.Tls13, WindowsPowerShellSupport.WithTls12(SecurityProtocolType.Tls13));
        Assert.Equal(SecurityProtocolType.SystemDefault, WindowsPowerShellSupport.WithTls12(SecurityProtocolType.SystemDefault));
    }

    [Fact]
    public void The_resolver_is_installed_once_and_removed_with_the_module()
    {
        try
        {
            WindowsPowerShellSupport.Hook(AppDomain.CurrentDomain);
            WindowsPowerShellSupport.Hook(AppDomain.CurrentDomain);
            Assert.True(WindowsPowerShellSupport.IsHooked);
            new WindowsPowerShellSupport().OnRemove(null!);
            Assert.False(WindowsPowerShellSupport.IsHooked);
        }
        finally
        {
            WindowsPowerShellSupport.Unhook();
        }
    }

    [Fact]
    public void PowerShell_7_never_loads_anything_from_the_dependencies_folder()
    {
        using var host = new PowerShellHost(null);
        host.Run("Test-DreaminaImage -Image missing.png > $null").ThrowOnError();
        Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), a => !a.IsDynamic && a.Location.Contains(Path.Combine("Dreamina", ModuleUnderTest.StagedDirectory.Split(Path.DirectorySeparatorChar)[^1], "dependencies")));
    }
}
