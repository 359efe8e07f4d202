# Behind an authenticating proxy: every host (API, account, images, videos) is reached through it over HTTPS in a
# CONNECT tunnel, by names only the proxy can resolve; wrong credentials stop at once, with the proxy named.

BeforeAll {
    Import-Module "$PSScriptRoot/Dreamina.TestHelpers.psm1" -Force
    $names = 'api.test', 'storage.test', 'account.test'
    $certificates = New-TestCertificates -Name $names -Folder $TestDrive
    $emulator = Start-TestEmulator '--urls', 'https://127.0.0.1:0', '--storage-urls', 'https://127.0.0.1:0', '--account-urls', 'https://127.0.0.1:0',
        '--certificate', $certificates.ServerPfx, '--public-storage-uri', 'https://storage.test/', '--accept-remote-images'
    $proxy = Start-TestProxy -User 'dreamina' -Password 's3cret' -Map @{
        'api.test:443'     = "127.0.0.1:$($emulator.BaseUri.Port)"
        'storage.test:443' = "127.0.0.1:$($emulator.StorageUri.Port)"
        'account.test:443' = "127.0.0.1:$($emulator.AccountUri.Port)"
    }
    # The pwsh under test trusts the test CA alone; -Proxy overrides any proxy its environment names.
    $environment = @{ SSL_CERT_FILE = $certificates.CaPem }
    function New-Script([string] $Password) {
        @"
`$credential = [pscredential]::new('dreamina', (ConvertTo-SecureString '$Password' -AsPlainText -Force))
Connect-Dreamina -BaseUri https://api.test/ -AccountUri https://account.test/ -Token (ConvertTo-SecureString '$($emulator.Token)' -AsPlainText -Force) ``
    -JournalPath '$TestDrive/proxy-$Password.jsonl' -Proxy '$($proxy.Uri)' -ProxyCredential `$credential -MaxRetries 2 | Out-Null
`$clock = [System.Diagnostics.Stopwatch]::StartNew()
try {
    1..2 | ForEach-Object { [pscustomobject]@{ Prompt = "behind the proxy `$_"; ImageUri = "https://storage.test/samples/street.jpg?v=`$_" } } |
        Start-DreaminaVideo | Wait-DreaminaJob | Save-DreaminaVideo -Directory '$TestDrive/clips-$Password' -AllowedHost storage.test | ForEach-Object { "SAVED `$(`$_.Name)" }
}
catch { "ERROR `$(`$_.FullyQualifiedErrorId) `$(`$_.Exception.Message)" }
"SECONDS `$(`$clock.Elapsed.TotalSeconds)"
(Get-DreaminaConnection).Proxy
"@
    }
    function Get-Submits { [int](Get-EmulatorStats $emulator).requests.submit }
}

AfterAll {
    if ($proxy) { $proxy | Stop-TestProxy }
    if ($emulator) { $emulator | Stop-DreaminaEmulator }
}

Describe 'Connect-Dreamina -Proxy -ProxyCredential' -Skip:$IsWindows {
    It 'saves every video of a Start | Wait | Save batch, with every request through the proxy' {
        $before = Get-Submits
        $run = Invoke-TestPwsh -Script (New-Script 's3cret') -Environment $environment
        $run.Output | Should -Match 'SAVED .*\.mp4' -Because $run.Errors
        ([regex]::Matches($run.Output, 'SAVED ')).Count | Should -Be 2
        (Get-Submits) - $before | Should -Be 2
        $through = Get-Content $proxy.LogPath
        foreach ($name in $names) { $through | Should -Contain "CONNECT ${name}:443 200" }
    }

    It 'shows the proxy and its user, never the password' {
        $run = Invoke-TestPwsh -Script (New-Script 's3cret') -Environment $environment
        $run.Output | Should -Match ([regex]::Escape("$($proxy.Uri.GetLeftPart('Authority')) (as dreamina)"))
        $run.Output | Should -Not -Match 's3cret'
    }

    It 'with wrong credentials ends within 8 s, names the proxy and 407, and submits nothing' {
        $before = Get-Submits
        $run = Invoke-TestPwsh -Script (New-Script 'wrong') -Environment $environment
        $run.Output | Should -Match 'ERROR DreaminaProxyAuthenticationFailed,Dreamina.Commands.StartDreaminaVideoCommand The proxy \S+ refused the request \(HTTP 407'
        $run.Output | Should -Match ([regex]::Escape($proxy.Uri.Authority))
        [double]([regex]::Match($run.Output, 'SECONDS (\S+)').Groups[1].Value) | Should -BeLessThan 8
        (Get-Submits) - $before | Should -Be 0
    }
}
