# The headline pipeline with a real CSV, and what -WhatIf and -Confirm do through the real console host.

BeforeAll {
    Import-Module "$PSScriptRoot/Dreamina.TestHelpers.psm1" -Force
    Import-Module (Get-TestManifest) -Force
    $emulator = Start-TestEmulator
    $image = "$($emulator.StorageUri)samples/street.jpg"
}

AfterAll {
    Disconnect-Dreamina
    $emulator | Stop-DreaminaEmulator
}

Describe 'Import-Csv shots.csv | Start-DreaminaVideo | Wait-DreaminaJob | Save-DreaminaVideo -Directory ./clips' {
    BeforeAll {
        Connect-TestEmulator $emulator -JournalPath "$TestDrive/jobs.jsonl"
        Push-Location $TestDrive
        # Optional columns left blank mean "not given": the default frame count and a random seed.
        Set-Content ./shots.csv -Value @(
            'Prompt,ImageUri,Seed,Frames,Duration'
            "waves roll in,$image,,,"
            "she turns,$image,42,,10"
            "clouds drift,$image,,241,"
        )
        $files = Import-Csv shots.csv | Start-DreaminaVideo | Wait-DreaminaJob | Save-DreaminaVideo -Directory ./clips
        $jobs = Get-DreaminaJob | Sort-Object Prompt
    }
    AfterAll { Pop-Location }

    It 'saves one MP4 per row into ./clips' {
        @($files).Count | Should -Be 3
        $files.DirectoryName | Sort-Object -Unique | Should -Be (Join-Path $TestDrive clips)
        $files | ForEach-Object { [System.Text.Encoding]::ASCII.GetString([System.IO.File]::ReadAllBytes($_.FullName), 4, 4) | Should -Be 'ftyp' }
    }

    It 'reads blank cells as not given' {
        $jobs.Prompt | Should -Be 'clouds drift', 'she turns', 'waves roll in'
        $jobs.Frames | Should -Be 241, 241, 121
        $jobs.Seed | Should -Be -1, 42, -1
    }

    It 'refuses a fractional seed instead of rounding it, and goes on with the other rows' {
        Set-Content ./fraction.csv -Value 'Prompt,ImageUri,Seed', "rounded,$image,1.5", "whole,$image,2"
        $jobs = Import-Csv ./fraction.csv | Start-DreaminaVideo -ErrorVariable problems -ErrorAction SilentlyContinue
        $jobs.Prompt | Should -Be 'whole'
        $problems[0].Exception.Message | Should -Match '1\.5 is not a whole number'
    }
}

Describe '-WhatIf and -Confirm through the console host' {
    BeforeAll {
        $journal = "$TestDrive/confirm.jsonl"
        $environment = @{ RUNCOMFY_TOKEN = $emulator.Token; DREAMINA_BASE_URI = $emulator.BaseUri; DREAMINA_ACCOUNT_URI = $emulator.AccountUri; DREAMINA_JOURNAL_PATH = $journal }
        $batch = "1..3 | ForEach-Object { [pscustomobject]@{ Prompt = `"shot `$_`"; ImageUri = '$image' } } | Start-DreaminaVideo"
        function Get-Submits { [int](Get-EmulatorStats $emulator).requests.submit }
    }

    It '-WhatIf shows each request and sends none' {
        $before = Get-Submits
        $run = Invoke-TestPwsh -Script "$batch -WhatIf" -Environment $environment
        $run.ExitCode | Should -Be 0
        ([regex]::Matches($run.Output, 'What if:.*shot \d')).Count | Should -Be 3
        Get-Submits | Should -Be $before
    }

    It 'a local photo with no image store goes inline, says so under -WhatIf, and RUNCOMFY_API_TOKEN alone is enough' {
        Invoke-WebRequest "$($emulator.StorageUri)samples/street.jpg" -OutFile "$TestDrive/street.jpg"
        $apiToken = @{ RUNCOMFY_API_TOKEN = $emulator.Token; RUNCOMFY_TOKEN = ""; DREAMINA_BASE_URI = $emulator.BaseUri; DREAMINA_ACCOUNT_URI = $emulator.AccountUri; DREAMINA_JOURNAL_PATH = "$TestDrive/inline.jsonl" }
        $before = Get-Submits
        $preview = Invoke-TestPwsh -Script "Start-DreaminaVideo 'slow dolly-in' -ImagePath '$TestDrive/street.jpg' -WhatIf" -Environment $apiToken
        $preview.Output | Should -Match 'What if:.*street\.jpg \(sent inline\)'
        Get-Submits | Should -Be $before
        $run = Invoke-TestPwsh -Script "(Start-DreaminaVideo 'slow dolly-in' -ImagePath '$TestDrive/street.jpg').RequestId" -Environment $apiToken
        $run.ExitCode | Should -Be 0
        $run.Output | Should -Match '^[0-9a-f-]{36}'
        Get-Submits | Should -Be ($before + 1)
    }

    It '-Confirm asks once per job; No skips that job' {
        $before = Get-Submits
        $run = Invoke-TestPwsh -Script "$batch -Confirm | ForEach-Object Prompt" -InputText "Y`nN`nY`n" -Environment $environment
        ([regex]::Matches($run.Output, 'Are you sure')).Count | Should -Be 3
        $run.Output | Should -Match 'shot 1'
        $run.Output | Should -Not -Match '(?m)^shot 2'
        Get-Submits | Should -Be ($before + 2)
    }

    It '-Confirm with Yes to All asks once' {
        $before = Get-Submits
        # A journal of its own: in the first one, shots 1 and 3 are already submitted, and a re-run would not ask for them.
        $fresh = $environment.Clone()
        $fresh.DREAMINA_JOURNAL_PATH = "$TestDrive/confirm-all.jsonl"
        $run = Invoke-TestPwsh -Script "$batch -Confirm | ForEach-Object Prompt" -InputText "A`n" -Environment $fresh
        ([regex]::Matches($run.Output, 'Are you sure')).Count | Should -Be 1
        Get-Submits | Should -Be ($before + 3)
    }
}
