# Re-running a script pays nothing twice: Start finds what it already submitted, Save keeps what it already saved,
# the day's spending survives Remove-DreaminaJob, and -FileName / -WriteMetadata name and describe each video.

BeforeAll {
    Import-Module "$PSScriptRoot/Dreamina.TestHelpers.psm1" -Force
    Import-Module (Get-TestManifest) -Force
    $emulator = Start-TestEmulator '--price', '0.5', '--price-unit', 'request', '--balance', '1000'
    $image = "$($emulator.StorageUri)samples/street.jpg"
    function Get-Count([string] $Endpoint) { [int](Get-EmulatorStats $emulator).requests.$Endpoint }
    function Set-Shots([string] $Path, [string[]] $Prompts) {
        Set-Content $Path -Value (@('Prompt,ImageUri,Seed') + ($Prompts | ForEach-Object { "$_,${image}?sig=run-$([guid]::NewGuid().ToString('N')),-1" }))
    }
}

AfterAll {
    Disconnect-Dreamina
    $emulator | Stop-DreaminaEmulator
}

Describe 'Running the CSV pipeline again, in a new process on the same journal' {
    BeforeAll {
        Push-Location $TestDrive
        $environment = @{ RUNCOMFY_TOKEN = $emulator.Token; DREAMINA_BASE_URI = $emulator.BaseUri; DREAMINA_ACCOUNT_URI = $emulator.AccountUri; DREAMINA_JOURNAL_PATH = "$TestDrive/jobs.jsonl" }
        $pipeline = 'Import-Csv ./shots.csv | Start-DreaminaVideo | Wait-DreaminaJob | Save-DreaminaVideo -Directory ./clips | ForEach-Object Name'
        # Row B twice: two takes of one shot with a random seed. Each run signs the image URL anew, as a pre-signed link would be.
        Set-Shots ./shots.csv 'A', 'B', 'B'
        $submits = Get-Count submit
        $downloads = Get-Count download
        $first = Invoke-TestPwsh -Script $pipeline -Environment $environment
        $firstSubmits = (Get-Count submit) - $submits
        $firstDownloads = (Get-Count download) - $downloads
        Set-Shots ./shots.csv 'A', 'B', 'B', 'C'
        $submits = Get-Count submit
        $downloads = Get-Count download
        $second = Invoke-TestPwsh -Script $pipeline -Environment $environment
        $secondSubmits = (Get-Count submit) - $submits
        $secondDownloads = (Get-Count download) - $downloads
    }
    AfterAll { Pop-Location }

    It 'submits and saves three jobs the first time' {
        $first.ExitCode | Should -Be 0 -Because $first.Errors
        $firstSubmits | Should -Be 3
        $firstDownloads | Should -Be 3
    }

    It 'submits only the new row the second time, and emits all four videos' {
        $second.ExitCode | Should -Be 0 -Because $second.Errors
        $secondSubmits | Should -Be 1
        @($second.Output.Trim() -split '\r?\n').Count | Should -Be 4
        @(Get-ChildItem ./clips -Filter *.mp4).Count | Should -Be 4
    }

    It 'downloads only the new row''s video the second time' {
        $secondDownloads | Should -Be 1
    }
}

Describe 'What a re-run says, and -Again' {
    BeforeAll {
        Connect-TestEmulator $emulator -JournalPath "$TestDrive/again.jsonl"
        $shot = [pscustomobject]@{ Prompt = 'a lighthouse at dusk'; ImageUri = $image }
        $firstJob = $shot | Start-DreaminaVideo
    }

    It 'emits the earlier job and says so in the Information stream' {
        $before = Get-Count submit
        $again = $shot | Start-DreaminaVideo -InformationVariable said
        (Get-Count submit) - $before | Should -Be 0
        $again.RequestId | Should -Be $firstJob.RequestId
        "$said" | Should -Match "already submitted as $($firstJob.RequestId) on .*: not submitted again"
    }

    It '-WhatIf counts the earlier job apart and prices only the new one' {
        $shots = "[pscustomobject]@{ Prompt = 'a lighthouse at dusk'; ImageUri = '$image' }, [pscustomobject]@{ Prompt = 'a new shot'; ImageUri = '$image' }"
        $run = Invoke-TestPwsh -Script "$shots | Start-DreaminaVideo -WhatIf" -Environment @{
            RUNCOMFY_TOKEN = $emulator.Token; DREAMINA_BASE_URI = $emulator.BaseUri; DREAMINA_ACCOUNT_URI = $emulator.AccountUri; DREAMINA_JOURNAL_PATH = "$TestDrive/again.jsonl" }
        $run.Output | Should -Match 'What if: Submit 1 paid Dreamina video job; estimated total 0\.50 USD\. 1 more input was already submitted and would not be submitted again\.'
    }

    It '-Again submits it anyway' {
        $before = Get-Count submit
        $again = $shot | Start-DreaminaVideo -Again
        (Get-Count submit) - $before | Should -Be 1
        $again.RequestId | Should -Not -Be $firstJob.RequestId
    }

    It 'submits again what failed' {
        $failing = [pscustomobject]@{ Prompt = 'this one fails #fail'; ImageUri = $image }
        $failed = $failing | Start-DreaminaVideo | Wait-DreaminaJob -ErrorAction SilentlyContinue -ErrorVariable problems
        $problems[0].FullyQualifiedErrorId | Should -Match '^DreaminaJobFailed'
        $before = Get-Count submit
        $null = $failing | Start-DreaminaVideo
        (Get-Count submit) - $before | Should -Be 1
    }
}

Describe 'The day''s spending is a record' {
    BeforeAll {
        Connect-TestEmulator $emulator -JournalPath "$TestDrive/limit.jsonl"
        Connect-Dreamina -DailySpendLimit 1.0 | Out-Null
        $jobs = 1..2 | ForEach-Object { [pscustomobject]@{ Prompt = "limited $_"; ImageUri = $image } } | Start-DreaminaVideo
    }
    AfterAll { Connect-Dreamina -DailySpendLimit 0 | Out-Null }

    It 'is not lowered by removing the day''s jobs from the journal' {
        $jobs.Count | Should -Be 2
        Get-DreaminaJob | Remove-DreaminaJob
        Get-DreaminaJob | Should -BeNullOrEmpty
        $before = Get-Count submit
        $null = [pscustomobject]@{ Prompt = 'one more'; ImageUri = $image } | Start-DreaminaVideo -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused[0].FullyQualifiedErrorId | Should -Be 'DreaminaSpendLimitReached,Dreamina.Commands.StartDreaminaVideoCommand'
        (Get-Count submit) - $before | Should -Be 0
    }

    It 'stops limiting once the limit is cleared with 0' {
        (Connect-Dreamina -DailySpendLimit 0).DailySpendLimit | Should -BeNullOrEmpty
        $job = [pscustomobject]@{ Prompt = 'after the limit'; ImageUri = $image } | Start-DreaminaVideo
        $job.RequestId | Should -Not -BeNullOrEmpty
    }
}

Describe 'Save-DreaminaVideo -FileName { ... } -WriteMetadata' {
    BeforeAll {
        Connect-TestEmulator $emulator -JournalPath "$TestDrive/named.jsonl"
        $jobs = 'harbour, dawn', 'harbour, dusk' | ForEach-Object { [pscustomobject]@{ Prompt = $_; ImageUri = $image } } | Start-DreaminaVideo | Wait-DreaminaJob
        $name = { 'take-{0} {1}' -f $_.Index, ($_.Prompt -replace ',', '') }
        # Files come out as their downloads finish: sorted here to compare.
        $files = $jobs | Sort-Object Prompt | Save-DreaminaVideo -Directory "$TestDrive/named" -FileName $name -WriteMetadata | Sort-Object Name
    }

    It 'names each file by the script block, with .mp4 added' {
        $files.Name | Should -Be 'take-1 harbour dawn.mp4', 'take-2 harbour dusk.mp4'
    }

    It 'writes a JSON file beside each video with its prompt and request id, UTF-8 without BOM' {
        $path = Join-Path $files[0].DirectoryName 'take-1 harbour dawn.json'
        $bytes = [System.IO.File]::ReadAllBytes($path)
        $bytes[0] | Should -Be ([byte][char]'{')
        $story = Get-Content $path -Raw | ConvertFrom-Json
        $story.prompt | Should -Be 'harbour, dawn'
        $story.request_id | Should -Be ($jobs | Where-Object Prompt -eq 'harbour, dawn').RequestId
        $story.model | Should -Be 'bytedance/dreamina-3-0/pro/image-to-video'
    }

    It 'keeps the saved files on a second save: same names, no download' {
        $before = Get-Count download
        $again = $jobs | Sort-Object Prompt | Save-DreaminaVideo -Directory "$TestDrive/named" -FileName $name | Sort-Object Name
        $again.Name | Should -Be $files.Name
        (Get-Count download) - $before | Should -Be 0
    }

    It 'gives a name another file already has -2' {
        $other = Join-Path $TestDrive 'other'
        $null = New-Item -ItemType Directory $other
        Set-Content (Join-Path $other 'clip.mp4') -Value 'not ours'
        $saved = $jobs | Select-Object -First 1 | Save-DreaminaVideo -Directory $other -FileName { 'clip' }
        $saved.Name | Should -Be 'clip-2.mp4'
        Get-Content (Join-Path $other 'clip.mp4') | Should -Be 'not ours'
    }
}
