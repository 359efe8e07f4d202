# Local images in: a folder of files to saved videos through the user's own storage, as a user types it.

BeforeAll {
    Import-Module "$PSScriptRoot/Dreamina.TestHelpers.psm1" -Force
    Import-Module (Get-TestManifest) -Force
    $emulator = Start-TestEmulator
    $azurite = Start-TestAzurite
    Connect-TestEmulator $emulator -JournalPath "$TestDrive/jobs.jsonl"

    $shots = New-Item -ItemType Directory -Path "$TestDrive/shots"
    foreach ($name in 'street.png', 'portrait.jpg', 'square.png') { Invoke-WebRequest "$($emulator.StorageUri)samples/$name" -OutFile "$shots/$name" }
    Copy-Item "$shots/street.png" "$shots/street-again.png"
}

AfterAll {
    Disconnect-Dreamina
    $azurite | Stop-TestAzurite
    $emulator | Stop-DreaminaEmulator
}

Describe 'Get-ChildItem ./shots | Start-DreaminaVideo | Wait-DreaminaJob | Save-DreaminaVideo' {
    It 'turns a folder of images into saved videos through an Azure Blob container (Azurite)' {
        $container = New-TestContainer $azurite
        Connect-Dreamina -ImageStore $container.Store | Out-Null
        $files = Get-ChildItem $shots -File | Start-DreaminaVideo -Prompt 'slow dolly-in' | Wait-DreaminaJob | Save-DreaminaVideo -Directory "$TestDrive/clips"

        $files.Count | Should -Be 4
        $files | ForEach-Object { [System.Text.Encoding]::ASCII.GetString([System.IO.File]::ReadAllBytes($_.FullName), 4, 4) | Should -Be 'ftyp' }
        @($container.Client.GetBlobs()).Count | Should -Be 3 -Because 'two files have the same content'
        (Get-DreaminaJob).ImagePath | Sort-Object | Should -Be ((Get-ChildItem $shots -File).FullName | Sort-Object)
        (Get-DreaminaConnection).ImageStore | Should -Be ($container.Store -replace '\?.*$')
        Get-Content "$TestDrive/jobs.jsonl" -Raw | Should -Not -Match 'sig='
    }

    It 'names the rule a bad file breaks, and uploads and submits nothing for it' {
        $container = New-TestContainer $azurite
        Connect-Dreamina -ImageStore $container.Store | Out-Null
        $heavy = "$TestDrive/heavy.png"
        Invoke-WebRequest "$($emulator.StorageUri)samples/too-heavy.png" -OutFile $heavy
        $before = [int](Get-EmulatorStats $emulator).requests.submit
        Get-Item $heavy | Start-DreaminaVideo -Prompt 'p' -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -Be 'DreaminaImageFileTooLarge,Dreamina.Commands.StartDreaminaVideoCommand'
        $problems[0].Exception.Message | Should -Match 'heavy\.png would be rejected by the service, so nothing was submitted: The image file is 4,8\d\d,\d\d\d bytes'
        @($container.Client.GetBlobs()).Count | Should -Be 0
        [int](Get-EmulatorStats $emulator).requests.submit | Should -Be $before
    }

    It 'reads an ImagePath column of a CSV, wildcards allowed' {
        $container = New-TestContainer $azurite
        Connect-Dreamina -ImageStore $container.Store | Out-Null
        Set-Content "$TestDrive/local.csv" -Value 'Prompt,ImagePath', "from a csv,$shots/square.png", "two at once,$shots/portrait*"
        $jobs = Import-Csv "$TestDrive/local.csv" | Start-DreaminaVideo
        $jobs.Count | Should -Be 2
        $jobs.ImagePath | Sort-Object | Should -Be "$shots/portrait.jpg", "$shots/square.png"
    }
}

Describe 'Any other storage, by a script block' {
    It 'calls the script once per distinct image, on the pipeline thread, and uses the URL it returns' {
        Disconnect-Dreamina
        Connect-TestEmulator $emulator -JournalPath "$TestDrive/script.jsonl"
        $calls = [System.Collections.Generic.List[object]]::new()
        $url = "$($emulator.StorageUri)samples/street.png"
        Connect-Dreamina -ImageUploader {
            param($File)
            $calls.Add([pscustomobject]@{ Name = $File.Name; Thread = [System.Threading.Thread]::CurrentThread.ManagedThreadId })
            [uri]$url
        }.GetNewClosure() | Out-Null
        $thread = [System.Threading.Thread]::CurrentThread.ManagedThreadId
        $jobs = Get-ChildItem $shots -Filter 'street*' | Start-DreaminaVideo -Prompt 'uploaded by script'
        $jobs.Count | Should -Be 2
        $calls.Count | Should -Be 1 -Because 'the two files have the same content'
        $calls[0].Thread | Should -Be $thread
        $jobs[0].ImageUri | Should -Be $url
    }

    It 'turns an error the script throws into that image''s error, and the batch goes on' {
        $samples = "$($emulator.StorageUri)samples"
        Connect-Dreamina -ImageUploader { param($File) if ($File.Name -like 'square*') { throw 'the bucket is full' }; [uri]"$samples/$($File.Name)" }.GetNewClosure() | Out-Null
        $jobs = Get-ChildItem "$shots/*" -Exclude 'street-again*' | Start-DreaminaVideo -Prompt 'p' -ErrorVariable problems -ErrorAction SilentlyContinue
        $jobs.Count | Should -Be 2
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be 'DreaminaUploaderFailed,Dreamina.Commands.StartDreaminaVideoCommand'
        $problems[0].Exception.Message | Should -Match 'threw an error: the bucket is full'
    }
}

Describe 'New-DreaminaClipsFromFolder.ps1' {
    It 'turns a folder into saved videos, uploading through the store it is given' {
        Disconnect-Dreamina
        Connect-TestEmulator $emulator -JournalPath "$TestDrive/example.jsonl"
        $container = New-TestContainer $azurite
        $files = & "$(Get-RepoRoot)/examples/New-DreaminaClipsFromFolder.ps1" -Folder $shots -Prompt 'slow dolly-in' -ImageStore $container.Store -Directory "$TestDrive/example-clips"
        $files.Count | Should -Be 4
        @($container.Client.GetBlobs()).Count | Should -Be 3
    }
}
