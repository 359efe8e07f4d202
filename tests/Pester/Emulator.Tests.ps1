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

Describe 'Start-DreaminaEmulator with no parameters, in a real terminal' -Tag 'Slow' -Skip:($IsWindows -or -not (Get-Command tmux -ErrorAction SilentlyContinue)) {
    BeforeAll {
        # What the pwsh in the terminal writes, each once its step is done: the test waits for the file, not a clock.
        function Wait-File([string] $Path, [int] $Seconds = 60) {
            $deadline = (Get-Date).AddSeconds($Seconds)
            while (-not (Test-Path $Path) -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 100 }
            Test-Path $Path | Should -BeTrue -Because "the terminal should have written $Path"
        }
    }

    It 'finds the emulator, prints the line to paste, survives Ctrl+C, and keeps its jobs out of the default journal' {
        $session = "dreamina-emulator-$PID"
        $home_ = Join-Path $TestDrive 'home'
        $null = New-Item -ItemType Directory $home_
        $setup = Join-Path $TestDrive 'setup.ps1'
        Set-Content $setup -Value @(
            "Import-Module '$(Join-Path (Get-RepoRoot) 'src/Dreamina.Emulator/Emulator.psm1')'"
            "Import-Module '$(Get-TestManifest)'"
            '$emulator = Start-DreaminaEmulator'
            "`$emulator.Process.Id | Set-Content '$TestDrive/pid.txt'"
        )
        & tmux new-session -d -s $session -x 80 -y 40 "env HOME='$home_' XDG_DATA_HOME='$home_/.local/share' $(Get-PwshPath) -NoProfile -NoExit -File '$setup'"
        try {
            Wait-File "$TestDrive/pid.txt"
            $emulatorId = [int](Get-Content "$TestDrive/pid.txt")
            $screen = (& tmux capture-pane -t $session -p -J) -join "`n"
            $screen | Should -Match 'Connect-Dreamina -BaseUri http://127\.0\.0\.1:\d+/ -AccountUri http://127\.0\.0\.1:\d+/ -Token \(ConvertTo-SecureString .emulator-token. -AsPlainText -Force\) -JournalPath'

            & tmux send-keys -t $session "'sleeping' | Set-Content '$TestDrive/sleeping.txt'; Start-Sleep -Seconds 60" Enter
            Wait-File "$TestDrive/sleeping.txt"
            & tmux send-keys -t $session C-c
            & tmux send-keys -t $session "'interrupted' | Set-Content '$TestDrive/interrupted.txt'" Enter
            Wait-File "$TestDrive/interrupted.txt" -Seconds 30
            Get-Process -Id $emulatorId -ErrorAction SilentlyContinue | Should -Not -BeNullOrEmpty -Because 'Ctrl+C in the terminal must not reach the emulator'

            & tmux send-keys -t $session "Invoke-Expression `$emulator.ConnectCommand; `$job = Start-DreaminaVideo 'after Ctrl+C' `"`$(`$emulator.StorageUri)samples/street.jpg`"; (Get-DreaminaConnection).JournalPath, `$job.RequestId | Set-Content '$TestDrive/journal.txt'" Enter
            Wait-File "$TestDrive/journal.txt"
            $journal, $requestId = Get-Content "$TestDrive/journal.txt"
            $requestId | Should -Not -BeNullOrEmpty
            Get-Content $journal -Raw | Should -Match $requestId
            Get-ChildItem $home_ -Recurse -Filter 'jobs.jsonl' | Should -BeNullOrEmpty -Because 'no emulator job lands in the default journal'
        }
        finally {
            & tmux kill-session -t $session 2>$null
            if ($emulatorId) { Stop-Process -Id $emulatorId -ErrorAction SilentlyContinue }
        }
    }
}
