#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# User-level scenarios against the local emulator, for machines with pwsh and Pester 5.
# Run through ./build.ps1 -Task Test, which passes the staged manifest.
param(
    [string] $Manifest = (Get-ChildItem "$PSScriptRoot/../../out/Dreamina/*/Dreamina.psd1" | Select-Object -First 1).FullName,
    [string] $Configuration = 'Release'
)

BeforeAll {
    $root = Resolve-Path "$PSScriptRoot/../.."
    $api = 'http://127.0.0.1:5180'
    $storage = 'http://127.0.0.1:5181'
    $emulatorDll = Join-Path $root "src/Dreamina.Emulator/bin/$Configuration/net10.0/Dreamina.Emulator.dll"
    $script:emulator = Start-Process dotnet -ArgumentList "`"$emulatorDll`" --urls $api --storage-urls $storage --time-scale 0.01" -PassThru -NoNewWindow -RedirectStandardOutput (New-TemporaryFile).FullName
    $deadline = (Get-Date).AddSeconds(30)
    do {
        Start-Sleep -Milliseconds 200
        $up = try { Invoke-RestMethod "$api/_emulator/stats" -TimeoutSec 2; $true } catch { $false }
    } until ($up -or (Get-Date) -gt $deadline)
    if (-not $up) { throw "The emulator did not start at $api." }

    Import-Module $Manifest -Force
    $script:image = "$storage/samples/street.jpg"
    $script:samples = "$storage/samples/"
    $script:work = Join-Path ([System.IO.Path]::GetTempPath()) "dreamina-pester-$PID"
    New-Item -ItemType Directory -Path $work -Force | Out-Null
    $script:token = ConvertTo-SecureString 'emulator-token' -AsPlainText -Force
    Connect-Dreamina -BaseUri $api -Token $token -JournalPath (Join-Path $work 'jobs.jsonl') | Out-Null

    function Get-SubmitCount { (Invoke-RestMethod "$api/_emulator/stats").requests.submit }
}

AfterAll {
    Disconnect-Dreamina
    Stop-Process -Id $emulator.Id -ErrorAction SilentlyContinue
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'The pipeline' {
    It 'turns one image into a saved MP4' {
        $file = Start-DreaminaVideo -Prompt 'slow dolly-in' -ImageUri $image | Wait-DreaminaJob -PollInterval 0.1 | Save-DreaminaVideo -Directory (Join-Path $work 'one')
        $file | Should -BeOfType System.IO.FileInfo
        $bytes = [System.IO.File]::ReadAllBytes($file.FullName)
        [System.Text.Encoding]::ASCII.GetString($bytes, 4, 4) | Should -Be 'ftyp'
    }

    It 'runs a batch of rows from a CSV file' {
        $csv = Join-Path $work 'shots.csv'
        1..5 | ForEach-Object { [pscustomobject]@{ Prompt = "shot $_"; ImageUri = $image; Duration = 5 } } | Export-Csv $csv -NoTypeInformation
        $files = Import-Csv $csv | Start-DreaminaVideo | Wait-DreaminaJob -PollInterval 0.1 | Save-DreaminaVideo -Directory (Join-Path $work 'batch')
        $files.Count | Should -Be 5
        ($files.Name | Sort-Object -Unique).Count | Should -Be 5
    }

    It 'sends nothing with -WhatIf' {
        $before = Get-SubmitCount
        Start-DreaminaVideo -Prompt 'pan' -ImageUri $image -WhatIf | Should -BeNullOrEmpty
        Get-SubmitCount | Should -Be $before
    }

    It 'binds RequestId by property name and strings by value' {
        $job = Start-DreaminaVideo -Prompt 'tilt up' -ImageUri $image
        ([pscustomobject]@{ RequestId = $job.RequestId } | Get-DreaminaStatus).RequestId | Should -Be $job.RequestId
        ($job.RequestId | Get-DreaminaStatus).RequestId | Should -Be $job.RequestId
    }

    It 'reports a failed job as an error that carries the job' {
        $null = Start-DreaminaVideo -Prompt 'this one #fail' -ImageUri $image | Wait-DreaminaJob -PollInterval 0.1 -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'DreaminaJobFailed,*'
        $failures[0].TargetObject.Status | Should -Be 'Failed'
    }

    It 'cancels a queued job and refuses to cancel a running one' {
        $running = 1..2 | ForEach-Object { Start-DreaminaVideo -Prompt "long $_ #run=300" -ImageUri $image }
        $queued = Start-DreaminaVideo -Prompt 'queued #run=300' -ImageUri $image
        Start-Sleep -Milliseconds 300
        ($queued | Stop-DreaminaJob -PassThru -Confirm:$false).Status | Should -Be 'Cancelled'
        $running[0] | Stop-DreaminaJob -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'DreaminaJobNotCancellable,*'
    }

    It 'stops waiting at -Timeout without emitting unfinished jobs' {
        Start-DreaminaVideo -Prompt 'slow #run=300' -ImageUri $image | Wait-DreaminaJob -Timeout 1 | Should -BeNullOrEmpty
    }
}

Describe 'Input the service would reject' {
    It 'rejects <Name> before any request' -ForEach @(
        @{ Name = 'an empty prompt'; Arguments = @{ Prompt = ''; ImageUri = 'IMAGE' }; Id = 'DreaminaPromptMissing' }
        @{ Name = 'an 801-character prompt'; Arguments = @{ Prompt = 'x' * 801; ImageUri = 'IMAGE' }; Id = 'DreaminaPromptTooLong' }
        @{ Name = 'two images'; Arguments = @{ Prompt = 'p'; ImageUri = 'IMAGE', 'IMAGE' }; Id = 'DreaminaImageCountInvalid' }
        @{ Name = 'a plain HTTP image'; Arguments = @{ Prompt = 'p'; ImageUri = 'http://example.com/a.png' }; Id = 'DreaminaImageUriNotHttps' }
        @{ Name = '120 frames'; Arguments = @{ Prompt = 'p'; ImageUri = 'IMAGE'; Frames = 120 }; Id = 'DreaminaFramesInvalid' }
        @{ Name = 'a small image'; Arguments = @{ Prompt = 'p'; ImageUri = 'SAMPLES/too-small.png' }; Id = 'DreaminaImageTooSmall' }
        @{ Name = 'a wide image'; Arguments = @{ Prompt = 'p'; ImageUri = 'SAMPLES/too-wide.png' }; Id = 'DreaminaImageRatioInvalid' }
        @{ Name = 'a GIF named .png'; Arguments = @{ Prompt = 'p'; ImageUri = 'SAMPLES/not-an-image.png' }; Id = 'DreaminaImageFormatUnsupported' }
    ) {
        $splat = @{}
        foreach ($key in $Arguments.Keys) {
            $splat[$key] = foreach ($value in $Arguments[$key]) { "$value".Replace('SAMPLES/', $samples).Replace('IMAGE', $image) }
        }
        if ($Arguments.Frames) { $splat.Frames = $Arguments.Frames }
        $before = Get-SubmitCount
        Start-DreaminaVideo @splat -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -BeLike "$Id,*"
        Get-SubmitCount | Should -Be $before
    }
}

Describe 'The journal' {
    It 'lists submitted jobs and forgets them on request' {
        $job = Start-DreaminaVideo -Prompt 'journal me' -ImageUri $image
        (Get-DreaminaJob -RequestId $job.RequestId).Prompt | Should -Be 'journal me'
        Get-DreaminaJob -RequestId $job.RequestId | Remove-DreaminaJob -Confirm:$false
        Get-DreaminaJob -RequestId $job.RequestId | Should -BeNullOrEmpty
    }
}

Describe 'The module as PowerShell users know it' {
    It 'has help with a synopsis and examples for <_>' -ForEach @(
        'Connect-Dreamina', 'Disconnect-Dreamina', 'Start-DreaminaVideo', 'Get-DreaminaStatus', 'Wait-DreaminaJob',
        'Stop-DreaminaJob', 'Save-DreaminaVideo', 'Get-DreaminaJob', 'Remove-DreaminaJob', 'Test-DreaminaImage'
    ) {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2
    }

    It 'passes Test-ModuleManifest' {
        Test-ModuleManifest $Manifest | Should -Not -BeNullOrEmpty
    }

    It 'checks an image with Test-DreaminaImage' {
        (Test-DreaminaImage $image).IsValid | Should -BeTrue
        Test-DreaminaImage "$samples/too-wide.png" -Quiet | Should -BeFalse
    }
}

Describe 'The example scripts' {
    BeforeAll {
        $examples = Join-Path $root 'examples'
    }

    It 'makes one clip' {
        $file = & "$examples/New-DreaminaClip.ps1" -Prompt 'slow dolly-in' -ImageUri $image -Directory (Join-Path $work 'example-one')
        $file | Should -BeOfType System.IO.FileInfo
    }

    It 'runs a CSV batch and reports the bad row' {
        $csv = Join-Path $work 'example.csv'
        @([pscustomobject]@{ Prompt = 'good'; ImageUri = $image }, [pscustomobject]@{ Prompt = 'wide'; ImageUri = "$samples/too-wide.png" }) | Export-Csv $csv -NoTypeInformation
        $files = & "$examples/Invoke-DreaminaCsvBatch.ps1" -CsvPath $csv -Directory (Join-Path $work 'example-batch') -ErrorVariable problems -ErrorAction SilentlyContinue
        @($files).Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'DreaminaImageRatioInvalid,*'
    }

    It 'writes a log in a nightly run and exits 1 on a problem' {
        $csv = Join-Path $work 'nightly.csv'
        @([pscustomobject]@{ Prompt = 'night'; ImageUri = $image }, [pscustomobject]@{ Prompt = 'small'; ImageUri = "$samples/too-small.png" }) | Export-Csv $csv -NoTypeInformation
        $log = Join-Path $work 'nightly.log'
        # Its own journal: the long jobs earlier tests left running are not this run's business.
        Connect-Dreamina -JournalPath (Join-Path $work 'nightly.jsonl') | Out-Null
        try {
            & "$examples/Invoke-NightlyDreaminaRun.ps1" -CsvPath $csv -Directory (Join-Path $work 'nightly') -LogPath $log -TimeoutMinutes 5
        }
        finally {
            Connect-Dreamina -JournalPath (Join-Path $work 'jobs.jsonl') | Out-Null
        }
        $LASTEXITCODE | Should -Be 1
        Get-Content $log -Raw | Should -Match 'ERROR DreaminaImageTooSmall'
    }
}
