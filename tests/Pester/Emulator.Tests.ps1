# The emulator as a program: it stops cleanly on a signal, and the Demo never trips over another copy of it.

BeforeAll {
    Import-Module "$PSScriptRoot/Dreamina.TestHelpers.psm1" -Force
}

Describe 'The emulator process' -Skip:$IsWindows {
    It 'stops within 5 s on <Signal>, with exit code 0' -ForEach @(
        @{ Signal = 'TERM'; Why = 'a service manager' }
        @{ Signal = 'INT'; Why = 'Ctrl+C' }
    ) {
        $emulator = Start-TestEmulator
        try {
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            & kill -s $Signal $emulator.Process.Id
            $emulator.Process.WaitForExit(5000) | Should -BeTrue
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
            $emulator.Process.ExitCode | Should -Be 0
        }
        finally { $emulator | Stop-DreaminaEmulator }
    }
}

Describe './build.ps1 -Task Demo' -Tag 'Slow' {
    It 'runs beside a leftover emulator and a second Demo, each on ports of its own' {
        $leftover = Start-TestEmulator
        try {
            $build = Join-Path (Get-RepoRoot) 'build.ps1'
            $demo = "& '$build' -Task Demo -NoBuild -Configuration $(Get-TestConfiguration)"
            $runs = 1..2 | ForEach-Object { Start-ThreadJob -ScriptBlock { param($Script) Invoke-TestPwsh -Script $Script -TimeoutSec 180 } -ArgumentList $demo -InitializationScript ([scriptblock]::Create("Import-Module '$PSScriptRoot/Dreamina.TestHelpers.psm1'")) }
            $results = $runs | Wait-Job | Receive-Job
            foreach ($result in $results) {
                $result.ExitCode | Should -Be 0 -Because $result.Errors
                $result.Output | Should -Match '\.mp4'
            }
        }
        finally { $leftover | Stop-DreaminaEmulator }
    }
}
