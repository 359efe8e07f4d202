# What every Pester file shares: the staged module under test, the emulator in a process of its own on free
# ports, and a way to run a fresh pwsh (for prompts, exit codes, and anything that needs a new process).

$script:Root = (Resolve-Path "$PSScriptRoot/../..").Path
$script:Configuration = if ($env:DREAMINA_TEST_CONFIGURATION) { $env:DREAMINA_TEST_CONFIGURATION } else { 'Release' }
$script:Manifest = if ($env:DREAMINA_TEST_MANIFEST) { $env:DREAMINA_TEST_MANIFEST } else { (Get-ChildItem "$Root/out/Dreamina/*/Dreamina.psd1" | Select-Object -First 1).FullName }
Import-Module "$Root/src/Dreamina.Emulator/Emulator.psm1" -Force

function Get-RepoRoot { $script:Root }
function Get-TestManifest { $script:Manifest }
function Get-TestConfiguration { $script:Configuration }
function Get-EmulatorDll { Join-Path $script:Root "src/Dreamina.Emulator/bin/$script:Configuration/net10.0/Dreamina.Emulator.dll" }
# The folder that holds the staged Dreamina folder: on PSModulePath, '#Requires -Modules Dreamina' finds it.
function Get-TestModulePath { Split-Path (Split-Path (Split-Path (Get-TestManifest))) }
function Get-PwshPath { Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh') }

function Start-TestEmulator {
    # A 90 s job takes 0.9 s; more options (see the emulator's --help) may follow.
    param([string[]] $ArgumentList = @())
    Start-DreaminaEmulator -Path (Get-EmulatorDll) -ArgumentList (@('--time-scale', '0.01') + $ArgumentList) -Quiet
}

function Get-EmulatorStats {
    param([Parameter(Mandatory)] $Emulator)
    # The test reads its own emulator's counters: an https:// one presents a certificate for other names.
    Invoke-RestMethod "$($Emulator.BaseUri)_emulator/stats" -SkipCertificateCheck
}

function Get-TestToken {
    param([Parameter(Mandatory)] $Emulator)
    ConvertTo-SecureString $Emulator.Token -AsPlainText -Force
}

function Connect-TestEmulator {
    param([Parameter(Mandatory)] $Emulator, [Parameter(Mandatory)] [string] $JournalPath)
    Connect-Dreamina -BaseUri $Emulator.BaseUri -AccountUri $Emulator.AccountUri -Token (Get-TestToken $Emulator) -JournalPath $JournalPath | Out-Null
}

# One of Azurite's services (npm package, installed by build.ps1 into tests/Azurite) on a free loopback port, in
# memory; returns its process, log and endpoint once it listens.
function Start-AzuriteService([ValidateSet('blob', 'table')] [string] $Service) {
    $entry = Join-Path $script:Root "tests/Azurite/node_modules/azurite/dist/src/$Service/main.js"
    if (-not (Test-Path $entry)) { throw "Azurite is not installed ($entry); ./build.ps1 -Task Test installs it." }
    $log = Join-Path ([System.IO.Path]::GetTempPath()) "azurite-$Service-$([guid]::NewGuid().ToString('N')).log"
    # The table service does not say which port it took for port 0: a free one is chosen here for both.
    $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $probe.Start()
    $port = $probe.LocalEndpoint.Port
    $probe.Stop()
    $process = Start-Process node -ArgumentList "`"$entry`"", '--inMemoryPersistence', "--$($Service)Host", '127.0.0.1', "--$($Service)Port", $port, '--skipApiVersionCheck', '--disableTelemetry' -PassThru -RedirectStandardOutput $log -RedirectStandardError "$log.err"
    $deadline = [datetime]::UtcNow.AddSeconds(30)
    while (-not ((Get-Content $log -Raw -ErrorAction SilentlyContinue) -match "successfully (?:started|listens) on (?:http://)?127\.0\.0\.1:$port")) {
        if ($process.HasExited -or [datetime]::UtcNow -gt $deadline) {
            Stop-Process -Id $process.Id -ErrorAction SilentlyContinue
            throw "Azurite's $Service service did not start: $(Get-Content $log -Raw -ErrorAction SilentlyContinue)"
        }
        Start-Sleep -Milliseconds 100
    }
    [pscustomobject]@{ Process = $process; LogPath = $log; Endpoint = "http://127.0.0.1:$port/devstoreaccount1" }
}

$script:AzuriteKey = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

function Start-TestAzurite {
    <#
    .SYNOPSIS
        Azurite's blob service, and a way to make containers with SAS tokens the way a user would:
        Azure.Storage.Blobs, from the xUnit suite's build.
    #>
    $azurite = Start-AzuriteService blob
    Add-Type -Path (Join-Path $script:Root "tests/Dreamina.Tests/bin/$script:Configuration/net10.0/Azure.Storage.Blobs.dll")
    $azurite | Add-Member -PassThru Service ([Azure.Storage.Blobs.BlobServiceClient]::new("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$script:AzuriteKey;BlobEndpoint=$($azurite.Endpoint);"))
}

function Start-TestAzuriteTables {
    <#
    .SYNOPSIS
        Azurite's table service, and a client (Azure.Data.Tables, from the xUnit suite's build) to make tables and
        SAS tokens the way a user would.
    #>
    $azurite = Start-AzuriteService table
    Add-Type -Path (Join-Path $script:Root "tests/Dreamina.Tests/bin/$script:Configuration/net10.0/Azure.Data.Tables.dll")
    $azurite | Add-Member -PassThru Service ([Azure.Data.Tables.TableServiceClient]::new("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$script:AzuriteKey;TableEndpoint=$($azurite.Endpoint);"))
}

function New-TestTable {
    # A new table and its URL with a SAS (by default query, add, update and delete): what Connect-Dreamina -JournalUri takes.
    param([Parameter(Mandatory)] $Azurite, [string] $Permissions = 'Read, Add, Update, Delete', [datetimeoffset] $Expires = [datetimeoffset]::UtcNow.AddHours(1), [switch] $NotCreated)
    $table = $Azurite.Service.GetTableClient("jobs$([guid]::NewGuid().ToString('N').Substring(0, 12))")
    if (-not $NotCreated) { $null = $table.CreateIfNotExists() }
    $table.GenerateSasUri([Azure.Data.Tables.Sas.TableSasPermissions]$Permissions, $Expires).AbsoluteUri
}

function New-TestContainer {
    # A new container and its URL with a SAS for read, create and write: what Connect-Dreamina -ImageStore takes.
    param([Parameter(Mandatory)] $Azurite)
    $container = $Azurite.Service.GetBlobContainerClient("images-$([guid]::NewGuid().ToString('N').Substring(0, 12))")
    $null = $container.Create()
    [pscustomobject]@{ Client = $container; Store = $container.GenerateSasUri([Azure.Storage.Sas.BlobContainerSasPermissions]'Read, Create, Write', [datetimeoffset]::UtcNow.AddHours(1)).AbsoluteUri }
}

function Stop-TestAzurite {
    param([Parameter(Mandatory, ValueFromPipeline)] $Azurite)
    process {
        Stop-Process -Id $Azurite.Process.Id -ErrorAction SilentlyContinue
        Remove-Item -LiteralPath $Azurite.LogPath, "$($Azurite.LogPath).err" -ErrorAction SilentlyContinue
    }
}

function Start-TestProxy {
    <#
    .SYNOPSIS
        Starts tests/Proxy/proxy.js: a forward proxy with Basic credentials that alone resolves the names in -Map.
    .PARAMETER Map
        Host names (with port) to the loopback addresses they stand for, as 'api.test:443' = '127.0.0.1:5080'.
    #>
    param([Parameter(Mandatory)] [string] $User, [Parameter(Mandatory)] [string] $Password, [Parameter(Mandatory)] [hashtable] $Map)
    if (-not (Get-Command node -ErrorAction SilentlyContinue)) { throw 'The proxy tests need Node.js (node on the PATH).' }
    $log = Join-Path ([System.IO.Path]::GetTempPath()) "dreamina-proxy-$([guid]::NewGuid().ToString('N')).log"
    $arguments = @("`"$(Join-Path $script:Root 'tests/Proxy/proxy.js')`"", '--user', $User, '--password', $Password) + ($Map.Keys | ForEach-Object { '--map', "$_=$($Map[$_])" })
    $process = Start-Process node -ArgumentList $arguments -PassThru -RedirectStandardOutput $log -RedirectStandardError "$log.err"
    $deadline = [datetime]::UtcNow.AddSeconds(15)
    while (-not ((Test-Path $log) -and (Get-Content $log -Raw) -match 'LISTENING (\d+)')) {
        if ($process.HasExited -or [datetime]::UtcNow -gt $deadline) {
            Stop-Process -Id $process.Id -ErrorAction SilentlyContinue
            throw "The test proxy did not start: $(Get-Content "$log.err" -Raw -ErrorAction SilentlyContinue)"
        }
        Start-Sleep -Milliseconds 50
    }
    [pscustomobject]@{ Process = $process; Uri = [uri]"http://127.0.0.1:$($Matches[1])"; LogPath = $log }
}

function Stop-TestProxy {
    param([Parameter(Mandatory, ValueFromPipeline)] $Proxy)
    process {
        Stop-Process -Id $Proxy.Process.Id -ErrorAction SilentlyContinue
        Remove-Item -LiteralPath $Proxy.LogPath, "$($Proxy.LogPath).err" -ErrorAction SilentlyContinue
    }
}

function New-TestCertificates {
    <#
    .SYNOPSIS
        A test CA (written as PEM, for SSL_CERT_FILE) and a server certificate it signed for -Name (written as PKCS#12).
    #>
    param([Parameter(Mandatory)] [string[]] $Name, [Parameter(Mandatory)] [string] $Folder)
    $crypto = [System.Security.Cryptography.X509Certificates.CertificateRequest]
    $caKey = [System.Security.Cryptography.RSA]::Create(2048)
    $caRequest = $crypto::new('CN=Dreamina Test CA', $caKey, 'SHA256', [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
    $caRequest.CertificateExtensions.Add([System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension]::new($true, $false, 0, $true))
    $caRequest.CertificateExtensions.Add([System.Security.Cryptography.X509Certificates.X509KeyUsageExtension]::new('KeyCertSign, CrlSign', $true))
    $ca = $caRequest.CreateSelfSigned([datetimeoffset]::UtcNow.AddDays(-1), [datetimeoffset]::UtcNow.AddDays(7))
    $key = [System.Security.Cryptography.RSA]::Create(2048)
    $request = $crypto::new("CN=$($Name[0])", $key, 'SHA256', [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
    $names = [System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder]::new()
    $Name | ForEach-Object { $names.AddDnsName($_) }
    $request.CertificateExtensions.Add($names.Build())
    $serverAuth = [System.Security.Cryptography.OidCollection]::new()
    $null = $serverAuth.Add([System.Security.Cryptography.Oid]::new('1.3.6.1.5.5.7.3.1'))
    $request.CertificateExtensions.Add([System.Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension]::new($serverAuth, $false))
    $signed = $request.Create($ca, [datetimeoffset]::UtcNow.AddHours(-1), [datetimeoffset]::UtcNow.AddDays(6), [byte[]](1..8))
    $server = [System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::CopyWithPrivateKey($signed, $key)
    $pem = Join-Path $Folder 'test-ca.pem'
    $pfx = Join-Path $Folder 'server.pfx'
    Set-Content -LiteralPath $pem -Value "-----BEGIN CERTIFICATE-----`n$([Convert]::ToBase64String($ca.RawData, 'InsertLineBreaks'))`n-----END CERTIFICATE-----"
    [System.IO.File]::WriteAllBytes($pfx, $server.Export('Pkcs12'))
    [pscustomobject]@{ CaPem = $pem; ServerPfx = $pfx }
}

function Invoke-TestPwsh {
    <#
    .SYNOPSIS
        Runs a script in a new pwsh that has the staged module on its module path; returns what it printed and its exit code.
    .PARAMETER InputText
        The process's standard input: the console host reads answers to prompts (-Confirm) from it, a line each.
    #>
    param(
        [Parameter(Mandatory)] [string] $Script,
        [string] $InputText,
        [hashtable] $Environment = @{},
        [int] $TimeoutSec = 120
    )
    $file = Join-Path ([System.IO.Path]::GetTempPath()) "dreamina-test-$([guid]::NewGuid().ToString('N')).ps1"
    Set-Content -LiteralPath $file -Value $Script
    $start = [System.Diagnostics.ProcessStartInfo]::new((Get-PwshPath))
    foreach ($argument in '-NoProfile', '-File', $file) { $start.ArgumentList.Add($argument) }
    $start.RedirectStandardInput = $true
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.WorkingDirectory = (Get-Location).ProviderPath
    $start.Environment['PSModulePath'] = (Get-TestModulePath) + [System.IO.Path]::PathSeparator + $env:PSModulePath
    # Plain text: what the tests read has no colour codes in it.
    $start.Environment['NO_COLOR'] = '1'
    foreach ($name in $Environment.Keys) { $start.Environment[$name] = [string]$Environment[$name] }
    $process = [System.Diagnostics.Process]::Start($start)
    $output = $process.StandardOutput.ReadToEndAsync()
    $errors = $process.StandardError.ReadToEndAsync()
    if ($InputText) { $process.StandardInput.Write($InputText) }
    $process.StandardInput.Close()
    try {
        if (-not $process.WaitForExit($TimeoutSec * 1000)) {
            $process.Kill($true)
            throw "pwsh did not finish within $TimeoutSec s: $($output.Result)"
        }
        [pscustomobject]@{ ExitCode = $process.ExitCode; Output = $output.Result; Errors = $errors.Result }
    }
    finally {
        Remove-Item -LiteralPath $file -ErrorAction SilentlyContinue
    }
}

Export-ModuleMember -Function *
