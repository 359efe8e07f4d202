# What each output type looks like at an 80-column and a 120-column terminal, as Out-String renders it.

BeforeAll {
    Import-Module "$PSScriptRoot/Dreamina.TestHelpers.psm1" -Force
    Import-Module (Get-TestManifest) -Force
    $emulator = Start-TestEmulator
    Connect-TestEmulator $emulator -JournalPath "$TestDrive/jobs.jsonl"
    $samples = "$($emulator.StorageUri)samples"

    $finished = Start-DreaminaVideo 'a slow dolly-in over the rooftops at golden hour' "$samples/street.jpg" | Wait-DreaminaJob
    $file = $finished | Save-DreaminaVideo -Directory "$TestDrive/clips"
    $failed = $null
    Start-DreaminaVideo 'this one breaks #fail' "$samples/street.jpg" | Wait-DreaminaJob -ErrorVariable failures -ErrorAction SilentlyContinue
    $failed = $failures[0].TargetObject
    $jobs = Get-DreaminaJob
    $reports = Test-DreaminaImage "$samples/street.jpg", "$samples/too-wide.png", "$samples/missing.png"

    function Render($InputObject, [string] $As, [int] $Width) {
        ($InputObject | & "Format-$As" | Out-String -Width $Width) -split "`r?`n"
    }
}

AfterAll {
    Disconnect-Dreamina
    $emulator | Stop-DreaminaEmulator
}

Describe 'Output at <Width> columns' -ForEach @(@{ Width = 80 }, @{ Width = 120 }) {
    It 'no line of any view is wider than the terminal' {
        foreach ($case in @(
                @($jobs, 'Table'), @($jobs, 'List'), @($reports, 'Table'), @($reports, 'List'),
                @((Get-DreaminaConnection), 'List'), @((Get-DreaminaBalance), 'Table'), @($file, 'Table'))) {
            foreach ($line in Render $case[0] $case[1] $Width) { $line.TrimEnd().Length | Should -BeLessOrEqual $Width -Because "$($case[1]): '$line'" }
        }
    }

    It 'a job table shows each whole request id, status, elapsed time, cost and the start of the prompt' {
        $text = (Render $jobs Table $Width) -join "`n"
        $text | Should -Match 'RequestId\s+Status\s+Elapsed\s+Cost\s+Prompt'
        $text | Should -Match ([regex]::Escape($finished.RequestId) + '\s+Completed\s+\d+:\d\d\s+0\.50\s+a slow dolly-in')
        $text | Should -Match ([regex]::Escape($failed.RequestId) + '\s+Failed')
    }

    It 'saved files look as Get-Item shows them, with their size' {
        $text = (Render $file Table $Width) -join "`n"
        $text | Should -Match 'Directory: .*clips'
        $text | Should -Match "\s$($file.Length)\s"
        ($text -split "`n" | Where-Object { $_ -match "^\S" -and $_ -match '\d{4}' }) | Should -Not -BeNullOrEmpty
    }

    It 'an image report names the first problem, and the list view every problem in full' {
        $text = (Render $reports Table $Width) -join "`n"
        $text | Should -Match 'True\s+JPEG\s+1920x1080'
        $text | Should -Match 'False\s+PNG\s+1500x500\s+\d+\s+RatioInvalid'
        $text | Should -Match 'Unreachable'
        # Each row names its own image, however long the address in front of it.
        $text | Should -Match 'RatioInvalid\s+too-wide\.png'
        $text | Should -Match '1920x1080\s+\d+\s+street\.jpg'
        $text | Should -Match 'missing\.png'
        (Render $reports[1] List $Width) -join ' ' | Should -Match 'DreaminaImageRatioInvalid: The image is 1500x500 pixels'
    }

    It 'the connection shows where the token comes from, never the token' {
        $text = (Render (Get-DreaminaConnection) List $Width) -join "`n"
        $text | Should -Match 'TokenSource\s+: Connect-Dreamina'
        $text | Should -Match 'Throttles\s+: 32 at once'
        $text | Should -Not -Match $emulator.Token
    }
}

Describe 'More detail at 120 columns' {
    It 'the job table adds the result: the saved file or the error' {
        $narrow = (Render $jobs Table 80) -join "`n"
        $wide = (Render $jobs Table 120) -join "`n"
        $narrow | Should -Not -Match 'Result'
        $wide | Should -Match 'Prompt\s+Result'
        $wide | Should -Match ([regex]::Escape($file.FullName.Substring(0, 20)))
        $wide | Should -Match 'The model could not'
    }
}

Describe 'Times and durations' {
    It 'shows times in local time' {
        $journal = "$TestDrive/local-time.jsonl"
        Set-Content $journal -Value '{"request_id":"r-1","status":"Completed","submitted_at":"2026-06-01T10:00:00+00:00","finished_at":"2026-06-01T10:01:30+00:00"}'
        $run = Invoke-TestPwsh -Script "Connect-Dreamina -JournalPath '$journal' > `$null; `$j = Get-DreaminaJob; `$j.SubmittedAt.Offset.TotalHours; `$j.SubmittedAt.Hour" -Environment @{ TZ = 'Asia/Tokyo' }
        ($run.Output -split "`n" | Where-Object { $_ })[0..1] | Should -Be '9', '19'
    }

    It 'never shows a negative duration, whatever the clocks say' {
        $journal = "$TestDrive/skew.jsonl"
        Set-Content $journal -Value '{"request_id":"r-2","status":"Completed","submitted_at":"2026-06-01T10:00:05+00:00","finished_at":"2026-06-01T10:00:00+00:00"}'
        Connect-Dreamina -JournalPath $journal | Out-Null
        try { (Get-DreaminaJob).Elapsed | Should -Be ([timespan]::Zero) }
        finally { Connect-Dreamina -JournalPath "$TestDrive/jobs.jsonl" | Out-Null }
    }
}
