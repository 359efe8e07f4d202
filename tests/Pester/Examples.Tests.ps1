# Every script in examples/ and every example in the help, run as users run them: real cmdlets, real files,
# and for unattended scripts a pwsh process of their own configured through the environment.

BeforeDiscovery {
    $root = (Resolve-Path "$PSScriptRoot/../..").Path
    $helpExamples = foreach ($page in Get-ChildItem "$root/docs/help/*.md" | Sort-Object Name) {
        $text = (Get-Content $page -Raw) -replace "`r", ''
        foreach ($match in [regex]::Matches($text, '(?ms)^### (Example [^\n]*)\n```powershell\n(.*?)\n```')) {
            @{ Name = "$($page.BaseName): $($match.Groups[1].Value)"; Code = $match.Groups[2].Value }
        }
    }
}

BeforeAll {
    Import-Module "$PSScriptRoot/Dreamina.TestHelpers.psm1" -Force
    Import-Module (Get-TestManifest) -Force
    $examples = Join-Path (Get-RepoRoot) 'examples'
    $emulator = Start-TestEmulator
    $image = "$($emulator.StorageUri)samples/street.jpg"
    $samples = "$($emulator.StorageUri)samples"

    # What an unattended script sees: settings from the environment only.
    function Get-EmulatorEnvironment([string] $Journal) {
        @{
            RUNCOMFY_TOKEN        = $emulator.Token
            DREAMINA_BASE_URI     = $emulator.BaseUri
            DREAMINA_ACCOUNT_URI  = $emulator.AccountUri
            DREAMINA_JOURNAL_PATH = $Journal
        }
    }
}

AfterAll {
    Disconnect-Dreamina
    $emulator | Stop-DreaminaEmulator
}

Describe 'The example scripts' {
    BeforeEach {
        Connect-TestEmulator $emulator -JournalPath "$TestDrive/$([guid]::NewGuid()).jsonl"
        Push-Location $TestDrive
    }
    AfterEach { Pop-Location }

    It 'New-DreaminaClip.ps1 makes one saved MP4' {
        $file = & "$examples/New-DreaminaClip.ps1" -Prompt 'slow dolly-in' -ImageUri $image -Duration 10 -Directory ./one
        $file.Name | Should -Match '\.mp4$'
        [System.Text.Encoding]::ASCII.GetString([System.IO.File]::ReadAllBytes($file.FullName), 4, 4) | Should -Be 'ftyp'
    }

    It 'Invoke-DreaminaCsvBatch.ps1 reads a real CSV, optional cells left blank, and reports the bad row' {
        @(
            [pscustomobject]@{ Prompt = 'waves roll in, camera still'; ImageUri = $image; Seed = ''; Frames = ''; Duration = '' }
            [pscustomobject]@{ Prompt = 'too wide'; ImageUri = "$samples/too-wide.png"; Seed = ''; Frames = ''; Duration = '' }
            [pscustomobject]@{ Prompt = 'she turns'; ImageUri = "$samples/portrait.png"; Seed = '7'; Frames = ''; Duration = '10' }
        ) | Export-Csv ./shots.csv -NoTypeInformation

        # An error from a command that is not the last of a pipeline reaches $Error, not the script's -ErrorVariable.
        $Error.Clear()
        $files = & "$examples/Invoke-DreaminaCsvBatch.ps1" -CsvPath ./shots.csv -Directory ./clips -ErrorAction SilentlyContinue

        @($files).Count | Should -Be 2
        $Error.FullyQualifiedErrorId | Should -Be 'DreaminaImageRatioInvalid,Dreamina.Commands.StartDreaminaVideoCommand'
        $jobs = Get-DreaminaJob | Sort-Object Prompt
        $jobs.Prompt | Should -Be 'she turns', 'waves roll in, camera still'
        @($jobs.Frames) + @($jobs.Seed) | Should -Be 241, 121, 7, -1
    }

    It 'Resume-DreaminaJobs.ps1 finishes, in a new session, what the last one left' {
        $journal = "$TestDrive/resume.jsonl"
        Connect-TestEmulator $emulator -JournalPath $journal
        Start-DreaminaVideo 'left running 1' $image | Out-Null
        Start-DreaminaVideo 'left running 2' $image | Out-Null
        Start-DreaminaVideo 'done, never saved' $image | Wait-DreaminaJob -PollInterval 0.1 | Out-Null

        $run = Invoke-TestPwsh -Script "& '$examples/Resume-DreaminaJobs.ps1' -Directory ./clips | ForEach-Object Name" -Environment (Get-EmulatorEnvironment $journal)

        $run.ExitCode | Should -Be 0 -Because $run.Errors
        ($run.Output -split "`n" | Where-Object { $_ -match '\.mp4' }).Count | Should -Be 3 -Because "$($run.Output) $($run.Errors)"
        Get-DreaminaJob | ForEach-Object { $_.SavedTo | Should -Not -BeNullOrEmpty }
    }

    It 'Invoke-NightlyDreaminaRun.ps1, started as a scheduler would, logs each problem and exits 1' {
        @(
            [pscustomobject]@{ Prompt = 'first'; ImageUri = $image }
            [pscustomobject]@{ Prompt = 'bad image'; ImageUri = "$samples/too-small.png" }
            [pscustomobject]@{ Prompt = 'second'; ImageUri = "$samples/square.png" }
        ) | Export-Csv ./tonight.csv -NoTypeInformation

        $run = Invoke-TestPwsh -Script "& '$examples/Invoke-NightlyDreaminaRun.ps1' -CsvPath ./tonight.csv -Directory ./nightly -LogPath ./nightly.log -TimeoutMinutes 5; exit `$LASTEXITCODE" `
            -Environment (Get-EmulatorEnvironment "$TestDrive/nightly.jsonl")

        $run.ExitCode | Should -Be 1
        $log = Get-Content ./nightly.log -Raw
        ([regex]::Matches($log, ' Saved ')).Count | Should -Be 2
        $log | Should -Match 'ERROR DreaminaImageTooSmall,Dreamina.Commands.StartDreaminaVideoCommand: Image \S+too-small.png would be rejected'
        $log | Should -Match 'Done: 2 saved, 1 problem\(s\)'
        (Get-ChildItem ./nightly -Filter *.mp4).Count | Should -Be 2
    }
}

Describe 'Stop-QueuedDreaminaJobs.ps1' {
    BeforeAll {
        # One slot and jobs that run for ten minutes: the second and third stay queued.
        $slow = Start-DreaminaEmulator -Path (Get-EmulatorDll) -ArgumentList '--concurrency', '1', '--queue-seconds', '0', '--run-seconds', '600' -Quiet
        Connect-TestEmulator $slow -JournalPath "$TestDrive/stop.jsonl"
        1..3 | ForEach-Object { Start-DreaminaVideo "shot $_" "$($slow.StorageUri)samples/street.jpg" } | Out-Null
    }
    AfterAll { $slow | Stop-DreaminaEmulator }

    It 'with -WhatIf cancels nothing' {
        & "$examples/Stop-QueuedDreaminaJobs.ps1" -WhatIf
        (Get-EmulatorStats $slow).requests.cancel | Should -BeNullOrEmpty
    }

    It 'cancels the queued jobs and leaves the running one' {
        $cancelled = & "$examples/Stop-QueuedDreaminaJobs.ps1"
        $cancelled.Prompt | Should -Be 'shot 2', 'shot 3'
        $cancelled.Status | Should -Be 'Cancelled', 'Cancelled'
    }
}

Describe 'Every example in the help runs without an error' {
    BeforeAll {
        $journal = "$TestDrive/help.jsonl"
        Connect-TestEmulator $emulator -JournalPath $journal
        Start-DreaminaVideo 'finished' $image | Wait-DreaminaJob -PollInterval 0.1 | Out-Null
    }

    BeforeEach {
        # What the examples expect to find: a finished job, one still running (for a few seconds), and a folder of images.
        $running = Start-DreaminaVideo 'running #run=300' $image -Again
        while (($running | Get-DreaminaStatus).Status -ne 'Running') { Start-Sleep -Milliseconds 50 }
    }

    It '<Name>' -ForEach $helpExamples {
        $folder = New-Item -ItemType Directory -Path "$TestDrive/$([guid]::NewGuid())"
        New-Item -ItemType Directory -Path "$folder/shots" | Out-Null
        Invoke-WebRequest "$samples/square.png" -OutFile "$folder/shots/good.png"
        Invoke-WebRequest "$samples/too-wide.png" -OutFile "$folder/shots/wide.png"
        $pointed = $Code.Replace('https://example.com/', "$samples/").
            Replace('http://127.0.0.1:5080/', "$($emulator.BaseUri)").Replace('http://127.0.0.1:5080', "$($emulator.BaseUri)".TrimEnd('/')).
            Replace('http://127.0.0.1:5081/', "$($emulator.StorageUri)").Replace('http://127.0.0.1:5081', "$($emulator.StorageUri)".TrimEnd('/'))
        Push-Location $folder
        try {
            # Read-Host -AsSecureString reads the token a person would type from standard input.
            $run = Invoke-TestPwsh -Script "`$ErrorActionPreference = 'Stop'`n$pointed" -InputText "$($emulator.Token)`n" -Environment (Get-EmulatorEnvironment $journal)
        }
        finally { Pop-Location }
        $run.ExitCode | Should -Be 0 -Because "$($run.Output) $($run.Errors)"
        $run.Errors | Should -BeNullOrEmpty
    }
}
